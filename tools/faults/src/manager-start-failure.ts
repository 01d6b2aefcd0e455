import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MANAGER_BIN } from '@tunasync/test-utils';

export interface StartFailure {
  code: number | null;
  /** What the manager printed (stdout and stderr), line by line, empty lines dropped. */
  lines: string[];
}

/**
 * Runs the built manager on `dbFile` (port 0 on 127.0.0.1) expecting it to refuse to start:
 * its exit code and every line it printed, read to the end of its output. A manager that
 * starts listening (or still runs after `timeoutMs`) is killed and the test fails.
 */
export async function managerStartFailure(
  dbFile: string,
  timeoutMs = 15_000,
): Promise<StartFailure> {
  const dir = await mkdtemp(join(tmpdir(), 'tunasync-start-failure-'));
  try {
    const config = join(dir, 'manager.conf');
    await writeFile(
      config,
      `[server]\naddr = "127.0.0.1"\nport = 0\n[files]\ndb_type = "leveldb"\ndb_file = ${JSON.stringify(dbFile)}\n`,
    );
    const child = spawn(process.execPath, [MANAGER_BIN, '--config', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (c: Buffer) => {
      output += c.toString('utf8');
      if (/listening on/.test(output)) child.kill('SIGKILL');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code] = (await once(child, 'close')) as [number | null];
    clearTimeout(killer);
    if (code === null) throw new Error(`tunasync-manager started on ${dbFile}:\n${output}`);
    return { code, lines: output.split('\n').filter((l) => l !== '') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
