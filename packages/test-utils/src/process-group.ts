import { readdirSync, readFileSync } from 'node:fs';

/** One process as seen in `/proc/<pid>/stat`. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** One-letter state: R, S, D, Z (zombie), T, … */
  state: string;
  /** The command name (`comm`), e.g. `sleep`. */
  command: string;
}

/** Parse one `/proc/<pid>/stat` line; undefined when it cannot be read. */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const [state, ppid, pgid] = fields;
  if (state === undefined || ppid === undefined || pgid === undefined) return undefined;
  return {
    pid: Number(text.slice(0, open).trim()),
    ppid: Number(ppid),
    pgid: Number(pgid),
    state,
    command: text.slice(open + 1, close),
  };
}

/** Every process on the machine (Linux `/proc`). */
export function listProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const info = parseProcStat(text);
    if (info) found.push(info);
  }
  return found;
}

/**
 * The processes whose process group is `pgid`. Zombies (dead, not yet reaped) are left
 * out unless asked for: they run nothing and hold nothing open.
 */
export function listProcessGroup(
  pgid: number,
  options: { includeZombies?: boolean } = {},
): ProcessInfo[] {
  return listProcesses().filter(
    (p) => p.pgid === pgid && (options.includeZombies === true || p.state !== 'Z'),
  );
}
