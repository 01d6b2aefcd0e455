import type { Express, Request, Response } from 'express';
import { MANAGER_ROUTES, allowedMethods } from '@tunasync/client';
import type { HttpMethod, ManagerRouteName } from '@tunasync/client';
import { MANAGER_ERRORS } from './errors';

/** A handler of one route; a rejected promise goes to the app's error middleware. */
export type RouteHandler = (req: Request, res: Response) => void | Promise<void>;

export interface RouteMounter {
  /** Mounts the handler of route `name` at the table's method and path. Once per route. */
  (name: ManagerRouteName, handler: RouteHandler): void;
  /**
   * After every handler: answers 405 with `Allow` on each known path for other methods.
   * Throws when a route of the table has no handler (a route and its client cannot drift).
   */
  finish(): void;
}

const EXPRESS_METHOD = { GET: 'get', POST: 'post', DELETE: 'delete' } as const satisfies Record<
  HttpMethod,
  'get' | 'post' | 'delete'
>;

/** Mounts the manager's handlers on `app` from `MANAGER_ROUTES` (the one route table). */
export function createRouteMounter(app: Express): RouteMounter {
  const mounted = new Set<ManagerRouteName>();
  const mount = (name: ManagerRouteName, handler: RouteHandler) => {
    if (mounted.has(name)) throw new TypeError(`route ${name} is mounted twice`);
    mounted.add(name);
    const { method, path } = MANAGER_ROUTES[name];
    app[EXPRESS_METHOD[method]](path, handler);
  };
  return Object.assign(mount, {
    finish() {
      const missing = Object.keys(MANAGER_ROUTES).filter(
        (name) => !mounted.has(name as ManagerRouteName),
      );
      if (missing.length > 0)
        throw new TypeError(`routes without a handler: ${missing.join(', ')}`);
      for (const [path, methods] of allowedMethods(MANAGER_ROUTES)) {
        app.all(path, (req, res, next) => {
          res.set('Allow', methods.join(', '));
          next(MANAGER_ERRORS.methodNotAllowed(req.method, req.path, methods));
        });
      }
    },
  });
}
