import { waitUntil } from '@tunasync/test-utils';

/** Wait until `check` is true, polling; fails after `timeoutMs`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  await waitUntil('the condition', check, timeoutMs, 10);
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
