import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigText } from '../src';
import { quotePath } from '../src/read-config-text';

describe('readConfigText', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tunasync-config-text-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('answers the text of a file', async () => {
    const file = join(dir, 'token');
    await writeFile(file, 'secret\n');
    const problems: string[] = [];
    expect(await readConfigText(file, 'x.conf:2:server.token_file', problems)).toBe('secret\n');
    expect(problems).toEqual([]);
  });

  it('a file it cannot read is one problem, the reason in words', async () => {
    const problems: string[] = [];
    expect(await readConfigText(join(dir, 'none'), 'x.conf:3:files.ca_cert', problems)).toBe(
      undefined,
    );
    expect(await readConfigText(dir, '--cert', problems)).toBe(undefined);
    expect(problems).toEqual([
      `x.conf:3:files.ca_cert: cannot read ${join(dir, 'none')}: no such file`,
      `--cert: cannot read ${dir}: is a directory`,
    ]);
  });

  it('quotes a path with spaces or control characters', () => {
    expect(quotePath('/etc/a.pem')).toBe('/etc/a.pem');
    expect(quotePath('/etc/a b.pem')).toBe('"/etc/a b.pem"');
    expect(quotePath('/etc/a\nb')).toBe('"/etc/a\\nb"');
  });
});
