import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The built program, as `npm` installs it (`nx run @tunasync/ctl:test` builds it first). */
export const CTL_BIN = join(__dirname, '..', '..', 'bin', 'tunasynctl.js');

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Run the built `tunasynctl` as a child process with `HOME` set to `home` (so no real
 * ~/.config/tunasync/ctl.conf is read) and nothing else from the caller's environment
 * but PATH. `bin`: another path to the program (a link named as npm names it).
 */
export function runCtl(
  args: readonly string[],
  options: { home: string; env?: Record<string, string>; cwd?: string; bin?: string },
): Promise<CtlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [options.bin ?? CTL_BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.home, ...options.env },
        cwd: options.cwd ?? options.home,
        timeout: 20_000,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          reject(error);
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
