import { startManagerProcess } from '@tunasync/test-utils';
import type { ManagerProcess } from '@tunasync/test-utils';
import { MANAGER_ROUTES, allowedMethods } from '../src';

/*
 * The real manager mounts every route of the table and answers 405 with the table's `Allow`
 * for any other method on its paths: the table and the server cannot drift apart.
 */

let manager: ManagerProcess;

beforeAll(async () => {
  manager = await startManagerProcess();
});

afterAll(async () => {
  await manager?.stop();
});

const concrete = (path: string) => path.replace(/:[A-Za-z_]+/g, 'x');

it.each([...allowedMethods(MANAGER_ROUTES)])(
  '%s answers 405 with Allow: %s for another method',
  async (path, methods) => {
    const res = await fetch(`${manager.url}${concrete(path)}`, { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(methods.join(', '));
  },
);

it.each(Object.entries(MANAGER_ROUTES))(
  '%s is mounted at its method and path',
  async (_name, route) => {
    const path = concrete(route.path);
    const res = await fetch(`${manager.url}${path}`, {
      method: route.method,
      ...(route.method === 'POST'
        ? { body: '{}', headers: { 'content-type': 'application/json' } }
        : {}),
    });
    // Any answer of the route's own handler (a 400 for the made-up names included), never
    // the manager's "no route" 404 nor a 405.
    expect(res.status).not.toBe(405);
    expect(await res.text()).not.toContain(`no route ${route.method} ${path}`);
  },
);
