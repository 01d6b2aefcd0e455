import { readdirSync, readFileSync } from 'node:fs';

function pgidAndStateOf(pid: string): { pgid: number; state: string } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = text.lastIndexOf(')');
  const [state, , pgid] = text.slice(close + 2).split(' ');
  if (state === undefined || pgid === undefined) return undefined;
  return { pgid: Number(pgid), state };
}

/**
 * Whether any live process (zombies do not count) is left in process group `pgid`.
 * `kill(-pgid, 0)` answers quickly when the group is empty; `/proc` tells zombies apart.
 */
export function processGroupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: trust kill()
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const info = pgidAndStateOf(entry);
    if (info && info.pgid === pgid && info.state !== 'Z' && info.state !== 'X') return true;
  }
  return false;
}

/** Send `signal` to every process of group `pgid`; false when the group is already empty. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
