/** `scheme://` then the userinfo (up to the authority's last `@`). */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)@/;

function splitUserinfo(
  url: string,
): { scheme: string; user: string; password?: string } | undefined {
  const match = USERINFO.exec(url);
  if (match === null) return undefined;
  const userinfo = match[2] as string;
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { scheme: match[1] as string, user: userinfo };
  return {
    scheme: match[1] as string,
    user: userinfo.slice(0, colon),
    password: userinfo.slice(colon + 1),
  };
}

/**
 * A URL without the password of its userinfo (`https://u:pw@host/x` → `https://u@host/x`),
 * as the worker reports a mirror's upstream (the manager publishes it on `/jobs`); any
 * other text unchanged.
 */
export function withoutUrlPassword(url: string): string {
  const parts = splitUserinfo(url);
  if (parts?.password === undefined) return url;
  return `${parts.scheme}${parts.user}@${url.slice((USERINFO.exec(url) as RegExpExecArray)[0].length)}`;
}

/** The password of a URL's userinfo as written and percent-decoded (to keep out of logs). */
export function urlPasswords(url: string): string[] {
  const password = splitUserinfo(url)?.password;
  if (password === undefined || password === '') return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // not percent-encoded text: the written form only
  }
  return decoded === password ? [password] : [password, decoded];
}
