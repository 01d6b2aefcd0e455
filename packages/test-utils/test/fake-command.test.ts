import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createFakeCommand } from '../src/fake-command';
import { TempDirs } from '../src/temp-dir';

const dirs = new TempDirs();
afterEach(() => dirs.cleanup());

describe('createFakeCommand', () => {
  it('records argv, cwd and chosen env, prints and exits as told', async () => {
    const dir = await dirs.make();
    const cwd = await dirs.make();
    const fake = await createFakeCommand({
      dir,
      name: 'rsync',
      stdout: 'out\n',
      recordEnv: ['SECRET_X'],
    });
    const { stdout } = await promisify(execFile)(fake.path, ['-a', 'b c'], {
      cwd,
      env: { ...process.env, SECRET_X: 'y', OTHER: 'z' },
    });
    expect(stdout).toBe('out\n');
    expect(await fake.calls()).toEqual([{ argv: ['-a', 'b c'], cwd, env: { SECRET_X: 'y' } }]);

    const failing = await createFakeCommand({ dir, name: 'bad', exitCode: 23 });
    await expect(promisify(execFile)(failing.path, [])).rejects.toMatchObject({ code: 23 });
    expect(await failing.calls()).toHaveLength(1);
  });
});
