import { join } from 'node:path';

export interface CommandWorkerConfOptions {
  /** The worker's name (`[global] name`). */
  name: string;
  /** A temp dir of the test's: logs go to `<dir>/log/<mirror>`, data to `<dir>/data`. */
  dir: string;
  /** `api_base_list`. */
  managers: string[];
  /** `[manager] token`. */
  token?: string;
  /** Command mirrors: each runs `command` (split like a shell, no shell run). */
  mirrors: Array<{ name: string; command: string }>;
}

/**
 * worker.conf text for a real worker process on loopback (a free control port) whose
 * mirrors are command mirrors, for tests that need a worker's real runs and logs.
 */
export function commandWorkerConf(o: CommandWorkerConfOptions): string {
  const mirrors = o.mirrors.map(
    (m) =>
      `[[mirrors]]\nname = "${m.name}"\nprovider = "command"\n` +
      `upstream = "https://example.org/${m.name}/"\ncommand = ${JSON.stringify(m.command)}\n`,
  );
  return [
    `[global]\nname = "${o.name}"\nlog_dir = ${JSON.stringify(join(o.dir, 'log', '{{.Name}}'))}`,
    `mirror_dir = ${JSON.stringify(join(o.dir, 'data'))}\ninterval = 60\n`,
    `[manager]\napi_base_list = ${JSON.stringify(o.managers)}`,
    o.token === undefined ? '' : `token = ${JSON.stringify(o.token)}`,
    '\n[server]\nhostname = "127.0.0.1"\nlisten_addr = "127.0.0.1"\nlisten_port = 0\n',
    ...mirrors,
  ].join('\n');
}
