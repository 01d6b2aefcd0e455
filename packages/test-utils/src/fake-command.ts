import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One recorded call of a fake command. */
export interface FakeCommandCall {
  /** Arguments after the program name. */
  argv: string[];
  cwd: string;
  /** The recorded environment variables (only those named in `recordEnv`, when set). */
  env: Record<string, string>;
}

export interface FakeCommandOptions {
  /** Directory to put the executable in (put it first on the PATH given to the code under test). */
  dir: string;
  /** File name, e.g. `rsync`. */
  name: string;
  /** Exit code (default 0). */
  exitCode?: number;
  /** Written to stdout before exiting. */
  stdout?: string;
  /** Environment variables to record; default: none. */
  recordEnv?: string[];
}

export interface FakeCommand {
  /** Absolute path of the executable. */
  readonly path: string;
  /** Every call so far, oldest first. */
  calls(): Promise<FakeCommandCall[]>;
}

/**
 * Write an executable (a small Node script) that records each call's argv, cwd and chosen
 * environment variables in a JSON-lines file, prints `stdout` and exits with `exitCode`.
 */
export async function createFakeCommand(options: FakeCommandOptions): Promise<FakeCommand> {
  await mkdir(options.dir, { recursive: true });
  const path = join(options.dir, options.name);
  const recordFile = join(options.dir, `.${options.name}.calls.jsonl`);
  await writeFile(recordFile, '');
  const script = `#!${process.execPath}
const fs = require('node:fs');
const names = ${JSON.stringify(options.recordEnv ?? [])};
const env = {};
for (const n of names) if (process.env[n] !== undefined) env[n] = process.env[n];
fs.appendFileSync(${JSON.stringify(recordFile)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env }) + '\\n');
process.stdout.write(${JSON.stringify(options.stdout ?? '')});
process.exitCode = ${options.exitCode ?? 0};
`;
  await writeFile(path, script);
  await chmod(path, 0o755);
  return {
    path,
    async calls() {
      const text = await readFile(recordFile, 'utf8');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as FakeCommandCall);
    },
  };
}
