import { writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface WorkerConfOptions {
  /** Every manager URL (`api_base_list`). */
  managers: string[];
  /** `[[mirrors]]` tables (see `commandMirror`, `rsyncMirror`), or their text. */
  mirrors: string[] | string;
  /** `[manager] heartbeat_interval` (seconds); the default when absent. */
  heartbeatInterval?: number;
  /** `[manager] token`; none when absent. */
  token?: string;
  /** Address the control server listens on and registers (127.0.0.1). */
  host?: string;
  /** `[global] name` (`w1`). */
  name?: string;
  /** `[global] concurrent` (10). */
  concurrent?: number;
  /** `[global] interval` in minutes (60). */
  interval?: number;
  /** The folder of `dir` that is `mirror_dir` (`data`). */
  mirrorDir?: string;
  /** Extra lines of `[global]`. */
  global?: string;
}

/** A `command` mirror running `sh -c SCRIPT`; `extra` lines go into its table (`cron = …`). */
export function commandMirror(name: string, script: string, extra = ''): string {
  // A JSON string is a TOML basic string: the script may hold `"` and `\`.
  return `[[mirrors]]
name = "${name}"
provider = "command"
upstream = "https://example.org/${name}/"
command = ${JSON.stringify(`sh -c '${script}'`)}
${extra}
`;
}

/** An `rsync` mirror of `upstream` (`rsync://…/module/`); `extra` lines go into its table. */
export function rsyncMirror(name: string, upstream: string, extra = ''): string {
  return `[[mirrors]]
name = "${name}"
provider = "rsync"
upstream = ${JSON.stringify(upstream)}
${extra}
`;
}

/**
 * worker.conf text for a worker in `dir` on loopback, its control server on a free port
 * (logs in `log/`, mirrors in `data/`; interval 60 min, retry 1). The one worker.conf writer
 * of the worker's tests and the fault suite.
 */
export function workerConfText(dir: string, o: WorkerConfOptions): string {
  const host = o.host ?? '127.0.0.1';
  const manager = [
    `api_base_list = [${o.managers.map((m) => JSON.stringify(m)).join(', ')}]`,
    o.token === undefined ? '' : `token = ${JSON.stringify(o.token)}`,
    o.heartbeatInterval === undefined ? '' : `heartbeat_interval = ${o.heartbeatInterval}`,
  ].filter((line) => line !== '');
  const mirrors = typeof o.mirrors === 'string' ? o.mirrors : o.mirrors.join('\n');
  return `[global]
name = "${o.name ?? 'w1'}"
log_dir = ${JSON.stringify(`${path.join(dir, 'log')}/{{.Name}}`)}
mirror_dir = ${JSON.stringify(path.join(dir, o.mirrorDir ?? 'data'))}
concurrent = ${o.concurrent ?? 10}
interval = ${o.interval ?? 60}
retry = 1
${o.global ?? ''}

[manager]
${manager.join('\n')}

[server]
hostname = "${host}"
listen_addr = "${host}"
listen_port = 0

${mirrors}
`;
}

/** Writes `<dir>/worker.conf` (see `workerConfText`) and returns its path. */
export async function writeWorkerConf(dir: string, o: WorkerConfOptions): Promise<string> {
  const file = path.join(dir, 'worker.conf');
  await writeFile(file, workerConfText(dir, o));
  return file;
}
