import { join } from 'node:path';
import type { ManagerProcess } from '@tunasync/test-utils';
import { startManagerProcess, TempDirs } from '@tunasync/test-utils';
import { runCtl } from './helpers/run-ctl';

/*
 * `tunasynctl alerts` and `tunasynctl alerts test RULE` (issue #17), the built program
 * against the built manager with two [[alerts]] rules: one whose exec sink writes its stdin
 * to a file, one whose command does not exist.
 */

const dirs = new TempDirs();
let home: string;
let manager: ManagerProcess;
const ctl = (args: string[]) => runCtl(args, { home });
const at = () => ['-m', '127.0.0.1', '-p', String(manager.port)];

beforeAll(async () => {
  home = await dirs.make('ctl-alerts-home-');
  const out = join(home, 'alert.json');
  const script = `require('fs').writeFileSync(${JSON.stringify(out)}, require('fs').readFileSync(0))`;
  manager = await startManagerProcess({
    config: `
[[alerts]]
name = "ops"
exec = [${JSON.stringify(process.execPath)}, "-e", ${JSON.stringify(script)}]

[[alerts]]
name = "broken"
exec = ["/nonexistent/notify"]
`,
  });
});

afterAll(async () => {
  await manager?.stop();
  await dirs.cleanup();
});

describe('tunasynctl alerts', () => {
  it('alerts test RULE sends through the rule; alerts lists it', async () => {
    expect(await ctl(['alerts', 'test', 'ops', ...at()])).toEqual({
      code: 0,
      stdout: 'test alert sent through rule ops\n',
      stderr: '',
    });
    const listed = await ctl(['alerts', '--limit', '5', ...at()]);
    expect(listed.code).toBe(0);
    const answer = JSON.parse(listed.stdout) as {
      rules: string[];
      alerts: Array<{ rule: string; state: string; attempts: number }>;
    };
    expect(answer.rules).toEqual(['ops', 'broken']);
    expect(answer.alerts).toEqual([
      expect.objectContaining({ rule: 'ops', state: 'sent', attempts: 1 }),
    ]);
  });

  it('a failing sink, an unknown rule and a usage mistake each say why', async () => {
    const broken = await ctl(['alerts', 'test', 'broken', ...at()]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(
      /^tunasynctl: the test alert through rule broken was not delivered: exec \/nonexistent\/notify: .*ENOENT.*\n$/,
    );
    const unknown = await ctl(['alerts', 'test', 'nope', ...at()]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no alert rule named "nope"; the rules are: ops, broken');
    const usage = await ctl(['alerts', 'test', ...at()]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/alerts test needs exactly one RULE/);
  });
});
