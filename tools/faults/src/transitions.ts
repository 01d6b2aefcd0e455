/** `[name, status]` of every report a worker made, in order (its `--verbose` log lines). */
export function workerTransitions(output: string): [string, string][] {
  return [...output.matchAll(/reporting (\S+) of (\S+)/g)].map((m) => [
    m[2] as string,
    m[1] as string,
  ]);
}

/** `[name, status]` of every status report a manager stored for `worker`, in order (its log). */
export function managerTransitions(output: string, worker = 'w1'): [string, string][] {
  const line = new RegExp(`Job \\[([^\\]]+)\\] @<${worker}> (starts syncing|\\S+)`, 'g');
  return [...output.matchAll(line)].map((m) => [
    m[1] as string,
    m[2] === 'starts syncing' ? 'syncing' : (m[2] as string),
  ]);
}

/** The statuses of one mirror in a list of transitions. */
export function statusesOf(transitions: [string, string][], name: string): string[] {
  return transitions.filter(([n]) => n === name).map(([, s]) => s);
}
