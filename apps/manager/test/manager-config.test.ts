import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { loadManagerConfig } from '../src/manager-config';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function settingsOf(text: string) {
  const file = join(await dirs.make('tunasync-conf-'), 'manager.conf');
  await writeFile(file, text);
  return loadManagerConfig({ config: file });
}

describe('[server] history_size', () => {
  test('defaults to 50; the file sets it, 0 included', async () => {
    expect((await loadManagerConfig({})).settings?.historySize).toBe(50);
    expect((await settingsOf('[server]\naddr = "127.0.0.1"\n')).settings?.historySize).toBe(50);
    expect((await settingsOf('[server]\nhistory_size = 7\n')).settings?.historySize).toBe(7);
    expect((await settingsOf('[server]\nhistory_size = 0\n')).settings?.historySize).toBe(0);
    expect((await settingsOf('[server]\nhistory_size = 10000\n')).settings?.historySize).toBe(
      10000,
    );
  });

  test('a bad value is a problem naming file and key, and gives no settings', async () => {
    const check = await settingsOf('[server]\nhistory_size = 2.5\n');
    expect(check.settings).toBeUndefined();
    expect(check.problems).toEqual([
      expect.stringMatching(/manager\.conf:2:server\.history_size: must be an integer$/),
    ]);
  });
});

describe('problems found by the mutated-config property test (#11) stay one line', () => {
  test('a db_type with a newline is quoted', async () => {
    const check = await settingsOf('[files]\ndb_type = "a\\nb"\n');
    expect(check.problems).toEqual([
      expect.stringMatching(
        /manager\.conf:2:files\.db_type: unknown db_type "a\\nb"; the known ones are "leveldb", "bolt" \(a Go manager's bolt file, imported\) and "redis"$/,
      ),
    ]);
  });

  test('a key with a newline or a line separator is quoted as TOML writes it', async () => {
    const check = await settingsOf('[files]\n"a\\nb" = 1\n"\\u2028" = 2\n');
    expect(check.warnings).toEqual([
      expect.stringMatching(/manager\.conf:2:files\."a\\nb": unknown key$/),
      expect.stringMatching(/manager\.conf:3:files\."\\u2028": unknown key$/),
    ]);
  });
});

describe('[files] db_type = "redis"', () => {
  test("the Go manager's keys work unchanged; the flags override them", async () => {
    const go = await settingsOf(
      '[files]\ndb_type = "redis"\ndb_file = "redis://:pw@127.0.0.1:6379/0"\n',
    );
    expect(go.problems).toEqual([]);
    expect(go.settings).toMatchObject({ dbType: 'redis', dbFile: 'redis://:pw@127.0.0.1:6379/0' });
    const flags = await loadManagerConfig({
      dbType: 'redis',
      dbFile: 'redis+sentinel://s1,s2/mymaster/1',
    });
    expect(flags.settings).toMatchObject({
      dbType: 'redis',
      dbFile: 'redis+sentinel://s1,s2/mymaster/1',
    });
  });

  test('a bad address is one line naming key and reason, never the password', async () => {
    const check = await settingsOf(
      '[files]\ndb_type = "redis"\ndb_file = "redis://tuna:hunter2@h/x"\n',
    );
    expect(check.settings).toBeUndefined();
    expect(check.problems).toEqual([
      expect.stringMatching(
        /manager\.conf:3:files\.db_file: redis address redis:\/\/tuna:\*\*\*@h\/x is not usable: database "x" is not a number$/,
      ),
    ]);
    expect(check.problems.join('\n')).not.toContain('hunter2');
  });
});
