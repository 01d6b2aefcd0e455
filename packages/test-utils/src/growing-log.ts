import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface GrowingLog {
  /** `sh <script>`: a command mirror's command. */
  command: string;
  /** Ends the loop: the script prints `last line` and exits 0. Idempotent. */
  stop(): Promise<void>;
}

/**
 * A shell script in `dir` for a command mirror whose run writes a growing log: `first line`,
 * then `tick 0`, `tick 1`, … every `everyMs` until `stop()`, then `last line`.
 */
export async function writeGrowingLogScript(dir: string, everyMs = 50): Promise<GrowingLog> {
  const flag = join(dir, 'grow.flag');
  const script = join(dir, 'grow.sh');
  await writeFile(flag, '');
  await writeFile(
    script,
    `echo "first line"\ni=0\nwhile [ -f ${flag} ]; do echo "tick $i"; i=$((i+1)); ` +
      `sleep ${everyMs / 1000}; done\necho "last line"\n`,
  );
  return { command: `sh ${script}`, stop: () => rm(flag, { force: true }) };
}
