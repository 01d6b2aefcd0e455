import { join } from 'node:path';

/** One `[[mirrors]]` table; values are written as TOML strings (JSON strings are valid TOML). */
export interface MirrorTable {
  name: string;
  provider: 'command' | 'rsync';
  upstream: string;
  command?: string;
  /** Other keys, as TOML lines. */
  extra?: string[];
}

/** A `command` mirror running `sh -c SCRIPT`. */
export function shMirror(name: string, script: string, extra: string[] = []): MirrorTable {
  return {
    name,
    provider: 'command',
    upstream: `https://example.org/${name}/`,
    command: `sh -c '${script}'`,
    extra,
  };
}

export interface FaultWorkerConf {
  /** Temp dir of the scenario: logs in `log/`, mirrors in `data/`. */
  dir: string;
  managerUrl: string;
  mirrors: MirrorTable[];
  name?: string;
  concurrent?: number;
  /** Minutes between two runs of a mirror (default 60: a mirror runs once, then when told). */
  interval?: number;
}

/** worker.conf text for a worker on loopback with a free control port. */
export function workerConfText(o: FaultWorkerConf): string {
  const tables = o.mirrors.map((m) =>
    [
      '[[mirrors]]',
      `name = ${JSON.stringify(m.name)}`,
      `provider = ${JSON.stringify(m.provider)}`,
      `upstream = ${JSON.stringify(m.upstream)}`,
      ...(m.command !== undefined ? [`command = ${JSON.stringify(m.command)}`] : []),
      ...(m.extra ?? []),
      '',
    ].join('\n'),
  );
  return `[global]
name = ${JSON.stringify(o.name ?? 'w1')}
log_dir = ${JSON.stringify(join(o.dir, 'log', '{{.Name}}'))}
mirror_dir = ${JSON.stringify(join(o.dir, 'data'))}
concurrent = ${o.concurrent ?? 10}
interval = ${o.interval ?? 60}
retry = 1

[manager]
api_base_list = [${JSON.stringify(o.managerUrl)}]

[server]
hostname = "127.0.0.1"
listen_addr = "127.0.0.1"
listen_port = 0

${tables.join('\n')}`;
}
