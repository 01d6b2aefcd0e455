import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { loadManagerConfig } from '../src/manager-config';

/* manager.conf's keys of the operator's view (issue #15): stale_after and public_logs. */

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

async function settingsOf(text: string) {
  const file = join(await dirs.make('tunasync-conf-'), 'manager.conf');
  await writeFile(file, text);
  return loadManagerConfig({ config: file });
}

test('stale_after: "auto" by default, "auto" or whole seconds (0: off)', async () => {
  expect((await loadManagerConfig({})).settings?.staleAfter).toBe('auto');
  expect((await settingsOf('[server]\nstale_after = "auto"\n')).settings?.staleAfter).toBe('auto');
  expect((await settingsOf('[server]\nstale_after = 86400\n')).settings?.staleAfter).toBe(86400);
  expect((await settingsOf('[server]\nstale_after = 0\n')).settings?.staleAfter).toBe(0);
});

test.each(['"soon"', '-1', '2.5', 'true'])(
  'stale_after = %s is one problem naming file and key',
  async (value) => {
    const check = await settingsOf(`[server]\nstale_after = ${value}\n`);
    expect(check.settings).toBeUndefined();
    expect(check.problems).toHaveLength(1);
    expect(check.problems[0]).toMatch(/manager\.conf:\d+:server\.stale_after: /);
    expect(check.problems[0]).not.toContain('\n');
  },
);

test('public_logs: false by default; a boolean', async () => {
  expect((await loadManagerConfig({})).settings?.publicLogs).toBe(false);
  expect((await settingsOf('[server]\npublic_logs = true\n')).settings?.publicLogs).toBe(true);
  const check = await settingsOf('[server]\npublic_logs = "yes"\n');
  expect(check.settings).toBeUndefined();
  expect(check.problems).toEqual([
    expect.stringMatching(/manager\.conf:\d+:server\.public_logs: /),
  ]);
});
