const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i;

/**
 * A worker URL as the manager shows it (`GET /workers`, logs, error answers): any user
 * name or password in it replaced by `REDACTED`. Registration refuses such URLs; this
 * covers workers stored by an older manager. Works on text that is not a valid URL too.
 */
export function redactWorkerUrl(url: string): string {
  return url.replace(USERINFO, '$1REDACTED@');
}

/** Whether a worker URL carries a user name or password (`http://user:pw@host/`). */
export function hasUserinfo(url: string): boolean {
  return USERINFO.test(url);
}
