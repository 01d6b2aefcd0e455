/** Why a call to a worker's control server failed, in words an operator can act on. */
export interface WorkerCallFailure {
  /** `connection refused by 127.0.0.1:6000`, `no answer in 5 s`, `TLS handshake failed: …`. */
  reason: string;
  /** The worker did not answer in time (a 504 rather than a 502). */
  timedOut: boolean;
}

const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
]);

const WRONG_VERSION = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_HTTP_REQUEST',
]);

const TIMEOUTS = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** The codes (`ECONNREFUSED`, `UND_ERR_SOCKET`, …) and names along an error's cause chain. */
function codesOf(err: unknown): { codes: string[]; names: string[] } {
  const codes: string[] = [];
  const names: string[] = [];
  let e = err as { code?: unknown; name?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e !== null && typeof e === 'object' && depth < 8; depth++) {
    if (typeof e.code === 'string') codes.push(e.code);
    if (typeof e.name === 'string') names.push(e.name);
    e = e.cause as typeof e;
  }
  return { codes, names };
}

function authority(url: string): { host: string; hostPort: string } {
  try {
    const parsed = new URL(url);
    return { host: parsed.hostname, hostPort: parsed.host };
  } catch {
    return { host: '?', hostPort: '?' };
  }
}

/**
 * Maps what undici or Node's socket and TLS layers threw while calling `url` to one short
 * reason. A library's own message (OpenSSL's `error:0A00010B:SSL routines:…`, paths into
 * Node's sources) never appears: callers log the raw error at debug level if they want it.
 */
export function describeWorkerCallFailure(
  err: unknown,
  url: string,
  timeoutMs: number,
): WorkerCallFailure {
  const { codes, names } = codesOf(err);
  const { host, hostPort } = authority(url);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  const is = (code: string) => codes.includes(code);
  const seconds = timeoutMs / 1000;
  const failed = (reason: string): WorkerCallFailure => ({ reason, timedOut: false });

  if (names.includes('TimeoutError') || has(TIMEOUTS)) {
    return { reason: `no answer in ${seconds} s`, timedOut: true };
  }
  if (is('ECONNREFUSED')) return failed(`connection refused by ${hostPort}`);
  if (is('ECONNRESET') || is('EPIPE')) return failed(`connection reset by ${hostPort}`);
  if (is('UND_ERR_SOCKET')) {
    return failed(`${hostPort} closed the connection without answering`);
  }
  if (is('ENOTFOUND')) return failed(`host not found: ${host}`);
  if (is('EAI_AGAIN')) return failed(`host name lookup of ${host} failed for now (DNS)`);
  if (is('EHOSTUNREACH')) return failed(`host ${host} is unreachable`);
  if (is('ENETUNREACH')) return failed(`no route to the network of ${host}`);
  if (has(WRONG_VERSION)) {
    return failed('TLS handshake failed: wrong version (is the worker speaking plain HTTP?)');
  }
  if (has(UNTRUSTED)) {
    return failed(
      `TLS handshake failed: certificate not trusted for ${host} (set [files] ca_cert to the CA that signed it)`,
    );
  }
  if (is('ERR_TLS_CERT_ALTNAME_INVALID')) {
    return failed(
      `TLS handshake failed: certificate name mismatch (the certificate is not for ${host})`,
    );
  }
  if (is('CERT_HAS_EXPIRED'))
    return failed(`TLS handshake failed: certificate of ${host} has expired`);
  if (is('CERT_NOT_YET_VALID')) {
    return failed(`TLS handshake failed: certificate of ${host} is not valid yet`);
  }
  const tls = codes.find((c) => c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_'));
  if (tls !== undefined) return failed(`TLS handshake failed (${tls})`);
  if (is('ERR_INVALID_URL') || is('UND_ERR_INVALID_ARG')) {
    return failed('the registered URL cannot be called');
  }
  if (is('UND_ERR_CLOSED') || is('UND_ERR_DESTROYED') || names.includes('AbortError')) {
    return failed('the call was cut short (the manager is shutting down)');
  }
  const code = codes[0];
  return failed(
    code === undefined
      ? 'the call failed (details in the debug log)'
      : `the call failed (${code}; details in the debug log)`,
  );
}
