import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** A directory of fake executables, put first on PATH while a test runs. */
export class FakeBin {
  private savedPath: string | undefined;

  private constructor(readonly dir: string) {}

  static async create(): Promise<FakeBin> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tunasync-core-bin-'));
    const bin = new FakeBin(dir);
    bin.savedPath = process.env.PATH;
    process.env.PATH = `${dir}${path.delimiter}${process.env.PATH ?? ''}`;
    return bin;
  }

  /**
   * Write an executable `name` (a Node script) that records its argv, one JSON array per
   * line, then runs `body` (JavaScript with `argv` and `fs` in scope).
   */
  async tool(name: string, body = ''): Promise<{ calls(): Promise<string[][]> }> {
    const record = path.join(this.dir, `.${name}.calls`);
    await writeFile(record, '');
    await writeFile(
      path.join(this.dir, name),
      `#!${process.execPath}
const fs = require('node:fs');
const argv = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(record)}, JSON.stringify(argv) + '\\n');
${body}
`,
    );
    await chmod(path.join(this.dir, name), 0o755);
    return {
      calls: async () =>
        (await readFile(record, 'utf8'))
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as string[]),
    };
  }

  async cleanup(): Promise<void> {
    process.env.PATH = this.savedPath;
    await rm(this.dir, { recursive: true, force: true });
  }
}

export async function tempDir(prefix = 'tunasync-core-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function ensureDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  return dir;
}
