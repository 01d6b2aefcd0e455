import { MANAGER_ROUTES, allowedMethods, route, routePath } from '../src';
import type { PathParams } from '../src';

describe('route', () => {
  it('finds the path parameters, in order', () => {
    const r = route<undefined, unknown>()({ method: 'GET', path: '/a/:id/b/:job/c', summary: '' });
    expect(r.params).toEqual(['id', 'job']);
    const names: PathParams<'/a/:id/b/:job/c'>[] = ['id', 'job'];
    expect(names).toEqual(r.params);
    expect(MANAGER_ROUTES.ping.params).toEqual([]);
  });

  it('fills the parameters URL-encoded and keeps only the query keys it knows', () => {
    expect(routePath(MANAGER_ROUTES.history, { id: 'w 1', job: 'a/b' }, { limit: '5' })).toBe(
      '/workers/w%201/jobs/a%2Fb/history?limit=5',
    );
    expect(routePath(MANAGER_ROUTES.deleteWorker, { id: 'w1' }, { purge: undefined })).toBe(
      '/workers/w1',
    );
    expect(routePath(MANAGER_ROUTES.deleteWorker, { id: 'w1' }, { other: 'x' })).toBe(
      '/workers/w1',
    );
    expect(() => routePath(MANAGER_ROUTES.listWorkerJobs, {})).toThrow(
      '/workers/:id/jobs: no value for :id',
    );
  });

  it('groups the methods of each path in the order of the table', () => {
    const allowed = allowedMethods(MANAGER_ROUTES);
    expect(allowed.get('/workers')).toEqual(['GET', 'POST']);
    expect(allowed.get('/workers/:id')).toEqual(['DELETE']);
    expect([...allowed.keys()][0]).toBe('/');
    expect(allowed.size).toBe(Object.keys(MANAGER_ROUTES).length - 1);
  });
});
