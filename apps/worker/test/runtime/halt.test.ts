import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { Halt, type HaltStep } from '../../src/runtime/halt';
import { TinyManager } from '../helpers/tiny-manager';
import { commandMirror, memoryLogger, startRuntime } from '../helpers/worker-fixture';

jest.setTimeout(20_000);

/** Steps that write their name into `ran` when they run; `fail` names the ones that reject. */
function recordingSteps(names: string[], ran: string[], fail: Record<string, () => never>) {
  return names.map((name): HaltStep => ({
    name,
    run: async () => {
      ran.push(name);
      await Promise.resolve();
      fail[name]?.();
    },
  }));
}

describe('Halt', () => {
  it('runs every step in order and resolves with no failure', async () => {
    const ran: string[] = [];
    const { logger, text } = memoryLogger();
    const halt = new Halt(recordingSteps(['a', 'b', 'c'], ran, {}), logger);
    expect(halt.started).toBe(false);
    await expect(halt.run()).resolves.toEqual([]);
    expect(ran).toEqual(['a', 'b', 'c']);
    await expect(halt.finished).resolves.toEqual([]);
    expect(text()).not.toContain('failed');
  });

  it('goes on after a step that rejects and one that throws, logs both and still resolves', async () => {
    const ran: string[] = [];
    const { logger, text } = memoryLogger();
    const closeError = new Error('socket already closed');
    const steps: HaltStep[] = [
      ...recordingSteps(['close control server', 'close outboxes'], ran, {
        'close control server': () => {
          throw closeError;
        },
      }),
      {
        name: 'remove run record',
        run: () => {
          ran.push('remove run record');
          throw new Error('EISDIR');
        },
      },
      ...recordingSteps(['log halted'], ran, {}),
    ];
    const halt = new Halt(steps, logger);
    const failures = await halt.run();
    expect(ran).toEqual([
      'close control server',
      'close outboxes',
      'remove run record',
      'log halted',
    ]);
    expect(failures.map((f) => f.step)).toEqual(['close control server', 'remove run record']);
    expect(failures[0]?.error).toBe(closeError);
    await expect(halt.finished).resolves.toBe(failures);
    expect(text()).toContain(
      'halting: close control server failed: socket already closed; going on',
    );
    expect(text()).toContain('halting: remove run record failed: EISDIR; going on');
  });

  it('is idempotent: a second run returns the same promise and runs nothing again', async () => {
    const ran: string[] = [];
    const { logger } = memoryLogger();
    const halt = new Halt(recordingSteps(['a', 'b'], ran, {}), logger);
    const first = halt.run();
    const second = halt.run();
    expect(second).toBe(first);
    expect(halt.started).toBe(true);
    await first;
    await halt.run();
    expect(ran).toEqual(['a', 'b']);
  });
});

describe('WorkerRuntime.halt', () => {
  const dirs = new TempDirs();
  let manager: TinyManager;

  beforeEach(async () => {
    manager = await new TinyManager().start();
  });
  afterEach(async () => {
    await manager.stop();
    await dirs.cleanup();
  });

  it('completes and logs a failing step when the run record cannot be removed', async () => {
    const dir = await dirs.make('rt-halt-');
    const { runtime, log } = await startRuntime(dir, {
      managers: [manager.url],
      mirrors: commandMirror('m1', 'true'),
    });
    const runs = path.join(dir, 'state', 'runs');
    const [record] = await readdir(runs);
    expect(record).toMatch(/\.json$/);
    // The run record becomes a directory with a file in it: removing it fails.
    const file = path.join(runs, record as string);
    await rm(file);
    await mkdir(file);
    await writeFile(path.join(file, 'keep'), '');

    await runtime.halt();
    await runtime.finished;
    expect(log()).toContain('halting: removing the run record failed');
    // The step after it ran (the last line), and the ones before it: the final statuses
    // were delivered.
    const failed = log().indexOf('halting: removing the run record failed');
    expect(log().indexOf('] halted', failed)).toBeGreaterThan(failed);
    expect(
      manager.requests.some((r) => r.method === 'POST' && r.url === '/workers/w1/jobs/m1'),
    ).toBe(true);
  });
});
