import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { parseBearerToken } from '@tunasync/api-types';
import type { Logger } from '@tunasync/api-types';
import type { Credential, Credentials } from './credentials';
import { MANAGER_ERRORS } from './errors';

/** What the middleware leaves in `res.locals` of an authenticated request. */
interface AuthLocals {
  credential?: Credential;
  bearer?: string;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The worker whose routes a path writes: `/workers/<id>/<anything>` (matched as express
 * matches `:id`: case-insensitive, the id URL-decoded; `raw` as the path has it, for
 * messages). `DELETE /workers/<id>` itself is not one (it is the admin's).
 */
function workerOfPath(path: string): { id: string | undefined; raw: string } | undefined {
  const raw = /^\/workers\/([^/]+)\/+[^/]/i.exec(path)?.[1];
  if (raw === undefined) return undefined;
  try {
    return { id: decodeURIComponent(raw), raw };
  } catch {
    return { id: undefined, raw };
  }
}

function isRegistration(req: Request): boolean {
  return req.method === 'POST' && /^\/workers\/?$/i.test(req.path);
}

/** Why a worker's token may not make this request; undefined when it may. */
function workerRefusal(id: string, req: Request): string | undefined {
  if (isRegistration(req)) return undefined;
  const target = workerOfPath(req.path);
  if (target?.id === id) return undefined;
  if (target !== undefined) {
    return `the token of worker ${id} writes only the routes of worker ${id}, not those of worker ${target.raw}`;
  }
  return `the token of worker ${id} cannot ${req.method} ${req.path}: that needs an admin token (or the shared token)`;
}

export interface RequestAuth {
  /** Before the body is read: 401 without a known token, 403 for a worker's token out of its routes. */
  readonly middleware: RequestHandler;
  /**
   * In `POST /workers`, once the body is valid: a worker's token registers only its own id
   * (403 otherwise). The token of a worker (or the shared one) is kept to call it back.
   */
  checkRegistration(res: Response, id: string): void;
}

/** Authentication and per-worker authorization of the manager's mutating routes. */
export function createRequestAuth(credentials: Credentials, logger: Logger): RequestAuth {
  const refuse = (req: Request, why: string) =>
    logger.warn(`refused ${req.method} ${req.path} from ${req.ip ?? '?'}: ${why}`, {
      component: 'http',
    });

  const middleware = (req: Request, res: Response, next: NextFunction) => {
    if (!credentials.enabled || READ_METHODS.has(req.method)) return next();
    const bearer = parseBearerToken(req.get('authorization'));
    const credential = credentials.authenticate(bearer);
    if (credential === undefined || bearer === undefined) {
      refuse(req, 'no valid token');
      res.set('WWW-Authenticate', 'Bearer');
      return next(MANAGER_ERRORS.unauthorized());
    }
    if (credential.kind === 'worker') {
      const refusal = workerRefusal(credential.id, req);
      if (refusal !== undefined) {
        refuse(req, refusal);
        return next(MANAGER_ERRORS.forbidden(refusal));
      }
      if (!isRegistration(req)) credentials.remember(credential.id, bearer, false);
    }
    const locals = res.locals as AuthLocals;
    locals.credential = credential;
    locals.bearer = bearer;
    next();
  };

  return {
    middleware,
    checkRegistration(res, id) {
      const { credential, bearer } = res.locals as AuthLocals;
      if (credential === undefined || bearer === undefined) return;
      if (credential.kind === 'worker' && credential.id !== id) {
        const refusal = `the token of worker ${credential.id} registers only worker ${credential.id}, not ${id}`;
        logger.warn(`refused POST /workers: ${refusal}`, { component: 'http' });
        throw MANAGER_ERRORS.forbidden(refusal);
      }
      if (credential.kind !== 'admin') credentials.remember(id, bearer, true);
    },
  };
}
