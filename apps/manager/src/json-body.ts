import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MANAGER_ERRORS } from './errors';

/** Body limit of every request (SPEC: 1 MiB → 413), after any Content-Encoding is undone. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
const BODY_LIMIT_TEXT = '1 MiB';

function contentEncoding(req: Request): string {
  return (req.headers['content-encoding'] ?? 'identity').toLowerCase();
}

/**
 * What body-parser (and the zlib stream under it) raised, as the error to answer with; its
 * other errors (415 for an unknown encoding or charset, 400 for an aborted body) carry their
 * own 4xx status and pass on as they are.
 */
function bodyError(err: unknown, req: Request): unknown {
  const e = err as { type?: unknown; message?: unknown } | null;
  switch (e?.type) {
    case 'entity.parse.failed':
      return MANAGER_ERRORS.malformedJson(String(e.message));
    case 'entity.too.large':
      return MANAGER_ERRORS.bodyTooLarge(BODY_LIMIT_TEXT);
    case undefined: {
      // Only the decompression stream fails without a body-parser type: the body is not
      // what its Content-Encoding says (zlib's "incorrect header check", a truncated stream).
      const encoding = contentEncoding(req);
      if (encoding !== 'identity') return MANAGER_ERRORS.badEncoding.withCause(err, encoding);
      break;
    }
    default:
      break;
  }
  return err;
}

/**
 * The manager's body parsing: a declared `Content-Length` over the limit is a 413 at once,
 * before a byte of the body is read, and the connection is closed after the answer (reading
 * a body only to throw it away would let a client hold the connection for as long as it
 * likes to send). Everything else is JSON whatever the Content-Type says (as the Go
 * manager), gzip/deflate/br undone first; every failure is a catalogued 4xx.
 */
export function createJsonBody(): RequestHandler {
  const json = express.json({ limit: BODY_LIMIT_BYTES, type: () => true, strict: true });
  return (req: Request, res: Response, next: NextFunction) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > BODY_LIMIT_BYTES) {
      res.set('Connection', 'close');
      next(MANAGER_ERRORS.bodyTooLarge(BODY_LIMIT_TEXT));
      return;
    }
    json(req, res, (err?: unknown) => {
      if (err === undefined) next();
      else next(bodyError(err, req));
    });
  };
}
