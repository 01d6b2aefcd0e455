import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORE_ERRORS } from '../src';
import type { MirrorJob, Scheduler } from '../src';

const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  it('shows exactly the example that this test runs', () => {
    const block = /<!-- embedding-example -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const source = readFileSync(path.join(__dirname, 'readme-example.ts'), 'utf8');
    const example = source
      .slice(0, source.indexOf('// -- end of the README example --'))
      .replace(/'\.\.\/src'/g, "'@tunasync/core'");
    expect(block).toBe(example);
    expect(example.trim().split('\n').length).toBeLessThanOrEqual(26);
  });

  it('the example runs: a custom provider, a job and the scheduler', async () => {
    const lines: string[] = [];
    jest
      .spyOn(console, 'log')
      .mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    const { job, scheduler } = jest.requireActual<{
      job: MirrorJob;
      scheduler: Scheduler<MirrorJob>;
    }>('./readme-example');
    try {
      for (let i = 0; i < 500 && !lines.includes('hello success 1.2G '); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(lines).toEqual(['hello pre-syncing  ', 'hello syncing  ', 'hello success 1.2G ']);
      const [entry] = scheduler.list();
      expect(entry?.name).toBe('hello');
      expect(entry!.at.getTime() - job.lastStatus!.time.getTime()).toBe(60 * 60_000);
    } finally {
      scheduler.close();
      await job.halt();
    }
  });

  it('lists every error code of the catalog, and only those', () => {
    const codes = Object.values(CORE_ERRORS).map((e) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^TUNASYNC_E_[A-Z0-9_]+$/);
    const documented = [...readme.matchAll(/^\| `(TUNASYNC_E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...codes].sort());
  });

  it('catalog entries build coded errors, with or without a cause', () => {
    const cause = new Error('low level');
    const err = CORE_ERRORS.cgroup.withCause(cause, '/sys/fs/cgroup/x', 'busy');
    expect(err).toMatchObject({
      code: 'TUNASYNC_E_CGROUP',
      message: 'cgroup /sys/fs/cgroup/x: busy',
      cause,
    });
    expect(CORE_ERRORS.timeout('debian', '1h0m0s').message).toBe('debian timeout after 1h0m0s');
    expect(CORE_ERRORS.hookFailed('pre-job', 'x').message).toBe('error exec hook pre-job: x');
  });
});
