import { readFileSync } from 'node:fs';
import { listProcesses } from '@tunasync/test-utils';

/**
 * The live processes of each job, found in `/proc` by a marker only that job's processes
 * carry on their command line (a unique `sleep` argument, the mirror's directory for rsync),
 * grouped by process group: one group is one run of the job. Zombies are left out.
 */
export function runsByMarker(markers: readonly string[]): Map<string, Map<number, number[]>> {
  const runs = new Map<string, Map<number, number[]>>(markers.map((m) => [m, new Map()]));
  for (const proc of listProcesses()) {
    if (proc.state === 'Z' || proc.state === 'X' || proc.pid === process.pid) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${proc.pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue; // gone meanwhile
    }
    for (const marker of markers) {
      if (!cmdline.includes(marker)) continue;
      const groups = runs.get(marker) as Map<number, number[]>;
      groups.set(proc.pgid, [...(groups.get(proc.pgid) ?? []), proc.pid]);
    }
  }
  return runs;
}

/** Every pid carrying one of the markers. */
export function pidsOf(markers: readonly string[]): number[] {
  const pids: number[] = [];
  for (const groups of runsByMarker(markers).values()) {
    for (const members of groups.values()) pids.push(...members);
  }
  return pids.sort((a, b) => a - b);
}

/** What a `RunWatch` saw: how many samples, and every instant a job had two runs. */
export interface RunWatchReport {
  samples: number;
  /** `marker: pgids…` at the instants a job had more than one process group. */
  doubleRuns: string[];
  /** The most process groups seen at once per marker. */
  maxRuns: Map<string, number>;
}

/**
 * Samples `/proc` every `everyMs` in the background, recording any instant at which one job
 * has more than one run (process group), until `stop()`.
 */
export class RunWatch {
  private readonly timer: NodeJS.Timeout;
  private readonly report: RunWatchReport = { samples: 0, doubleRuns: [], maxRuns: new Map() };

  constructor(
    private readonly markers: readonly string[],
    everyMs = 40,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  /** One sample now (also called by the timer); returns the runs it saw. */
  sample(): Map<string, Map<number, number[]>> {
    const runs = runsByMarker(this.markers);
    this.report.samples++;
    for (const [marker, groups] of runs) {
      const most = Math.max(groups.size, this.report.maxRuns.get(marker) ?? 0);
      this.report.maxRuns.set(marker, most);
      if (groups.size > 1)
        this.report.doubleRuns.push(`${marker}: ${[...groups.keys()].join(' ')}`);
    }
    return runs;
  }

  stop(): RunWatchReport {
    clearInterval(this.timer);
    return this.report;
  }
}
