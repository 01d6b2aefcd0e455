import type { Logger, LogMeta } from '@tunasync/api-types';

/** A logger that keeps every line, to assert on what was (and was not) logged. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (): Logger & { lines: string[] } => {
    const at =
      (level: string) =>
      (message: string, meta?: LogMeta): void => {
        lines.push(`${level} ${message}${meta ? ` ${JSON.stringify(meta)}` : ''}`);
      };
    return {
      lines,
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: () => make(),
    };
  };
  return make();
}

/** Wait until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * An `rsync` wrapper that holds each run after rsync has exited, until the test releases it:
 * the provider's run is still in progress, so its progress at the very end can be read. Run
 * `n` (1, 2, … in order of calls) creates `done-<n>` in `dir` when rsync has exited, then waits
 * for `release-<n>` (at most 60 s) and exits with rsync's code.
 */
export async function holdingRsync(dir: string): Promise<{
  command: string;
  finished: (n: number) => Promise<void>;
  release: (n: number) => Promise<void>;
}> {
  const { writeFile, access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const command = join(dir, 'rsync-holding');
  await writeFile(
    command,
    [
      '#!/bin/sh',
      `dir='${dir}'`,
      'n=$(( $(cat "$dir/count" 2>/dev/null || echo 0) + 1 ))',
      'echo "$n" > "$dir/count"',
      'rsync "$@"',
      'rc=$?',
      ': > "$dir/done-$n"',
      'i=0',
      'while [ ! -e "$dir/release-$n" ] && [ "$i" -lt 3000 ]; do sleep 0.02; i=$((i + 1)); done',
      'exit $rc',
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  const exists = (file: string) =>
    access(join(dir, file)).then(
      () => true,
      () => false,
    );
  return {
    command,
    finished: (n) => waitFor(() => exists(`done-${n}`), 30_000),
    release: (n) => writeFile(join(dir, `release-${n}`), ''),
  };
}
