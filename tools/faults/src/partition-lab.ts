import { execFileSync, execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `ip ARGS`; rejects with its stderr. */
async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.trim() || e.message}`);
  }
}

/**
 * Why network namespaces cannot be made here (not root, no `ip` from iproute2, no
 * permission), or undefined when they can: a namespace is really made and removed.
 */
export function namespacesUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces need root)';
  const probe = `tunasync-faults-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  } catch (err) {
    const e = err as { code?: string; stderr?: Buffer };
    if (e.code === 'ENOENT') return '`ip` not found (apt-get install iproute2)';
    return `\`ip netns add\` failed: ${e.stderr?.toString().trim() ?? String(err)}`;
  }
  execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
  return undefined;
}

/** Removes the namespaces of labs whose test process is gone (a run killed mid-test). */
async function removeStaleLabs(): Promise<void> {
  for (const line of (await ip('netns', 'list')).split('\n')) {
    const match = /^(tunasync-faults-(\d+)-\d+-(?:manager|worker|switch))\b/.exec(line);
    if (!match) continue;
    try {
      process.kill(Number(match[2]), 0);
    } catch {
      await ip('netns', 'del', match[1] as string).catch(() => undefined);
    }
  }
}

/**
 * Two hosts, a manager and a worker, each in a network namespace of its own, joined by a
 * switch: a third namespace holding a bridge and the far ends of both veth pairs. The hosts
 * share a private /30 that exists only in these namespaces (nothing is added to the
 * caller's namespace). Neighbours are permanent, so no ARP failure ever answers a host.
 *
 * `cut()` takes the worker's port of the switch down: both hosts keep their own link up
 * (with no carrier on the worker's), their routes stay, and every packet between them
 * vanishes — no RST, no ICMP, no "network unreachable" on either side. (With one veth pair,
 * taking one end down makes the other host lose its route: its sends fail at once.)
 * `heal()` brings the port back.
 */
export class PartitionLab {
  readonly managerNs: string;
  readonly workerNs: string;
  readonly switchNs: string;
  readonly managerIp: string;
  readonly workerIp: string;
  private made: string[] = [];

  constructor() {
    const id = `${process.pid}-${randomInt(1_000_000)}`;
    this.managerNs = `tunasync-faults-${id}-manager`;
    this.workerNs = `tunasync-faults-${id}-worker`;
    this.switchNs = `tunasync-faults-${id}-switch`;
    const net = `10.${200 + randomInt(50)}.${randomInt(256)}.${4 * randomInt(64)}`;
    const base = net.split('.').map(Number) as [number, number, number, number];
    this.managerIp = `${base[0]}.${base[1]}.${base[2]}.${base[3] + 1}`;
    this.workerIp = `${base[0]}.${base[1]}.${base[2]}.${base[3] + 2}`;
  }

  /** Makes the namespaces, links and addresses; on failure removes what it made. */
  async create(): Promise<this> {
    await removeStaleLabs();
    try {
      for (const ns of [this.switchNs, this.managerNs, this.workerNs]) {
        await ip('netns', 'add', ns);
        this.made.push(ns);
      }
      const S = ['-n', this.switchNs];
      await ip(...S, 'link', 'add', 'br0', 'type', 'bridge');
      const hosts = [
        { ns: this.managerNs, port: 'to-manager', addr: this.managerIp, mac: '02:00:00:00:00:01' },
        { ns: this.workerNs, port: 'to-worker', addr: this.workerIp, mac: '02:00:00:00:00:02' },
      ];
      for (const h of hosts) {
        await ip(
          ...S,
          'link',
          'add',
          h.port,
          'type',
          'veth',
          'peer',
          'name',
          'eth0',
          'netns',
          h.ns,
        );
        await ip(...S, 'link', 'set', h.port, 'master', 'br0');
        await ip(...S, 'link', 'set', h.port, 'up');
        await ip('-n', h.ns, 'link', 'set', 'eth0', 'address', h.mac);
        await ip('-n', h.ns, 'addr', 'add', `${h.addr}/30`, 'dev', 'eth0');
        await ip('-n', h.ns, 'link', 'set', 'eth0', 'up');
        await ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      }
      await ip(...S, 'link', 'set', 'br0', 'up');
      const [m, w] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
      await ip(
        '-n',
        m.ns,
        'neigh',
        'replace',
        w.addr,
        'lladdr',
        w.mac,
        'dev',
        'eth0',
        'nud',
        'permanent',
      );
      await ip(
        '-n',
        w.ns,
        'neigh',
        'replace',
        m.addr,
        'lladdr',
        m.mac,
        'dev',
        'eth0',
        'nud',
        'permanent',
      );
      return this;
    } catch (err) {
      await this.destroy();
      throw err;
    }
  }

  /** The worker's link goes dead: packets vanish both ways. */
  cut(): Promise<string> {
    return ip('-n', this.switchNs, 'link', 'set', 'to-worker', 'down');
  }

  heal(): Promise<string> {
    return ip('-n', this.switchNs, 'link', 'set', 'to-worker', 'up');
  }

  /** `ss` of the TCP connections in `ns` that are ESTABLISHED with `peer`, as "local peer" lines. */
  async established(ns: string, peer: string): Promise<string[]> {
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      ns,
      'ss',
      '-Htn',
      'state',
      'established',
      'dst',
      peer,
    ]);
    return stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols.length >= 4)
      .map((cols) => `${cols[2]} ${cols[3]}`);
  }

  /** Removes every namespace made (their links go with them). Idempotent. */
  async destroy(): Promise<void> {
    for (const ns of this.made.splice(0).reverse()) {
      await ip('netns', 'del', ns).catch(() => undefined);
    }
  }
}
