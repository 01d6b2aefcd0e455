import { isTunasyncError } from '@tunasync/api-types';
import {
  HOOK_PHASES,
  createBtrfsSnapshotHook,
  createCgroupHook,
  createDockerHook,
  createExecHook,
  createLogLimiterHook,
  createZfsHook,
  defineHook,
} from '../src';
import type { HookHandler, HookPhase } from '../src';

describe('defineHook', () => {
  it('keeps handlers of known phases', () => {
    const handler: HookHandler = () => undefined;
    const hook = defineHook('mine', { 'pre-job': handler, 'post-fail': handler });
    expect(hook.name).toBe('mine');
    expect(Object.keys(hook.handlers).sort()).toEqual(['post-fail', 'pre-job']);
    expect(Object.isFrozen(hook.handlers)).toBe(true);
  });

  it('rejects an unknown phase with a coded error', () => {
    const handlers = { 'pre-sync': () => undefined } as unknown as Record<HookPhase, HookHandler>;
    let caught: unknown;
    try {
      defineHook('typo', handlers);
    } catch (err) {
      caught = err;
    }
    expect(isTunasyncError(caught, 'TUNASYNC_E_UNKNOWN_HOOK_PHASE')).toBe(true);
    expect((caught as Error).message).toBe(
      `hook typo: unknown phase "pre-sync" (known phases: ${HOOK_PHASES.join(', ')})`,
    );
  });

  it('rejects a handler that is not a function', () => {
    const handlers = { 'pre-job': 'nope' } as unknown as Record<HookPhase, HookHandler>;
    expect(() => defineHook('bad', handlers)).toThrow(/unknown phase "pre-job"|hook bad/);
  });
});

describe('built-in hook constructors', () => {
  it.each([
    [createLogLimiterHook(), 'log-limiter', ['pre-exec', 'post-success', 'post-fail']],
    [createExecHook({ kind: 'success', commands: ['true'] }), 'exec-on-success', ['post-success']],
    [createExecHook({ kind: 'failure', commands: ['true'] }), 'exec-on-failure', ['post-fail']],
    [createZfsHook({ zpool: 'tank' }), 'zfs', ['pre-job']],
    [
      createBtrfsSnapshotHook({ snapshotPath: '/snap' }),
      'btrfs-snapshot',
      ['pre-job', 'post-success'],
    ],
    [
      createDockerHook({ image: 'alpine', volumes: [], options: [], memoryLimit: '256M' }),
      'docker',
      ['pre-exec', 'post-exec'],
    ],
    [
      createCgroupHook({
        basePath: '/sys/fs/cgroup',
        group: 'tunasync',
        subsystem: 'cpu',
        memoryLimit: '1G',
      }),
      'cgroup',
      ['pre-exec', 'post-exec'],
    ],
  ])('%#: %s acts in its phases', (hook, name, phases) => {
    expect(hook.name).toBe(name);
    expect(Object.keys(hook.handlers).sort()).toEqual([...phases].sort());
  });

  it('rejects a bad exec command line when the hook is made', () => {
    expect(() => createExecHook({ kind: 'failure', commands: ['echo "oops'] })).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_COMMAND_LINE' }),
    );
    expect(() => createExecHook({ kind: 'failure', commands: ['  '] })).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_COMMAND_LINE' }),
    );
  });

  it('rejects a bad memory limit when the hook is made', () => {
    expect(() => createDockerHook({ image: 'alpine', memoryLimit: 'lots' })).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_MEMORY_LIMIT' }),
    );
    expect(() => createCgroupHook({ memoryLimit: '1X' })).toThrow(
      expect.objectContaining({ code: 'TUNASYNC_E_MEMORY_LIMIT' }),
    );
  });
});
