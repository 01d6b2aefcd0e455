import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TempDirs } from '@tunasync/test-utils';
import { loadManagerConfig } from '../src/manager-config';

const dirs = new TempDirs();
afterAll(() => dirs.cleanup());

async function load(text: string) {
  const file = join(await dirs.make('alerts-conf-'), 'manager.conf');
  await writeFile(file, text);
  return { file, check: await loadManagerConfig({ config: file }) };
}

test('[[alerts]] and drop_unseen_after are read into the settings', async () => {
  const { check } = await load(`
[server]
drop_unseen_after = 604800
[files]
db_file = "/tmp/x"
[[alerts]]
name = "ops"
events = ["failed", "recovered"]
mirrors = ["debian*", "ubuntu"]
after_failures = 2
throttle = 3600
webhook = "https://hooks.example.org/tunasync"
webhook_secret = "s"
`);
  expect(check.problems).toEqual([]);
  expect(check.settings?.dropUnseenAfter).toBe(604800);
  expect(check.settings?.alertRules).toHaveLength(1);
  expect(check.settings?.alertRules?.[0]).toMatchObject({
    name: 'ops',
    afterFailures: 2,
    throttleMs: 3_600_000,
  });
});

test('mistakes in [[alerts]] are problems naming the file, the rule and the key', async () => {
  const { file, check } = await load(`
[[alerts]]
name = "ops"
webhook = "ftp://h/"
[[alerts]]
events = ["failed"]
email_to = "ops@example.org"
smtp_url = "smtp://h:25"
`);
  expect(check.settings).toBeUndefined();
  expect(check.problems).toEqual([
    `${file}:4:alerts[ops].webhook: must start with http:// or https:// (got ftp://)`,
    `${file}:5:alerts[1].email_from: email_to needs email_from (the sender's address)`,
  ]);
  const typo = await load('[[alerts]]\nwebhok = "https://h/"\n');
  expect(typo.check.problems).toEqual([
    `${typo.file}:2:alerts[0].webhok: unknown key, did you mean \`webhook\`?`,
  ]);
});
