import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built `tunasynctl` (never imported: run as a child process). */
export const CTL_BIN = resolve(__dirname, '..', '..', '..', 'apps', 'ctl', 'bin', 'tunasynctl.js');

/** Throws, saying how to build it, when `apps/ctl` is not built. */
export function requireBuiltCtl(): void {
  if (!existsSync(resolve(CTL_BIN, '..', '..', 'dist'))) {
    throw new Error('apps/ctl is not built: run `npx nx run @tunasync/ctl:build`');
  }
}

export interface CtlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `tunasynctl ARGS -m 127.0.0.1 -p PORT` with `HOME` set to `home` (so no ctl.conf of the
 * machine's user is read).
 */
export function runCtl(args: string[], port: number, home: string): Promise<CtlResult> {
  requireBuiltCtl();
  return new Promise((done) => {
    execFile(
      process.execPath,
      [CTL_BIN, ...args, '-m', '127.0.0.1', '-p', String(port)],
      { env: { ...process.env, HOME: home }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}
