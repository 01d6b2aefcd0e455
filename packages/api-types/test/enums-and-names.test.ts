import {
  CMD_VERBS,
  SYNC_STATUSES,
  isCmdVerb,
  isSyncStatus,
  isValidName,
  nameProblem,
  validateClientCmd,
  validateMirrorStatus,
  validateWorkerCmd,
} from '../src';

describe('sync statuses', () => {
  it('are exactly the seven wire strings', () => {
    expect([...SYNC_STATUSES].sort()).toEqual(
      ['disabled', 'failed', 'none', 'paused', 'pre-syncing', 'success', 'syncing'].sort(),
    );
  });

  it.each(SYNC_STATUSES)('accepts %s', (status) => {
    expect(isSyncStatus(status)).toBe(true);
    expect(validateMirrorStatus({ name: 'm', status }).ok).toBe(true);
  });

  it.each(['', 'Success', 'SYNCING', 'presyncing', 'ok', 3, null])('rejects %j', (status) => {
    expect(isSyncStatus(status)).toBe(false);
    const result = validateMirrorStatus({ name: 'm', status });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toMatch(/^status: must be/);
  });
});

describe('command verbs', () => {
  it('are exactly the six wire strings', () => {
    expect([...CMD_VERBS].sort()).toEqual(
      ['disable', 'ping', 'reload', 'restart', 'start', 'stop'].sort(),
    );
  });

  it.each(CMD_VERBS)('accepts %s', (cmd) => {
    expect(isCmdVerb(cmd)).toBe(true);
    expect(validateClientCmd({ cmd, worker_id: 'w', mirror_id: 'm' }).ok).toBe(true);
    expect(validateWorkerCmd({ cmd, mirror_id: 'm' }).ok).toBe(true);
  });

  it.each(['', 'Start', 'halt', 'kill', 'flush', 1])('rejects %j', (cmd) => {
    expect(isCmdVerb(cmd)).toBe(false);
    const result = validateClientCmd({ cmd, worker_id: 'w' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual([expect.stringMatching(/^cmd: must be/)]);
  });
});

describe('the name rule', () => {
  it.each(['debian', 'a', 'ubuntu-releases', 'pypi.org', 'c++', 'A_1', 'x'.repeat(64)])(
    'accepts %s',
    (name) => {
      expect(isValidName(name)).toBe(true);
      expect(nameProblem(name)).toBeUndefined();
    },
  );

  it.each([
    ['', 'must not be empty'],
    ['x'.repeat(65), 'at most 64'],
    ['.hidden', 'must start with'],
    ['-flag', 'must start with'],
    ['a/b', 'only letters'],
    ['..', 'must start with'],
    ['a b', 'only letters'],
    ['naïve', 'only letters'],
    ['a\nb', 'only letters'],
  ])('rejects %j', (name, why) => {
    expect(isValidName(name)).toBe(false);
    expect(nameProblem(name)).toContain(why);
  });

  it('rejects non-strings', () => {
    expect(isValidName(42)).toBe(false);
    expect(nameProblem(undefined)).toBe('must be a string');
  });
});
