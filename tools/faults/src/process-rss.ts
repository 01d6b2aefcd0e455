import { readFileSync } from 'node:fs';

/** Resident set size of a live process in bytes, from `VmRSS` of `/proc/<pid>/status`. */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS in /proc/${pid}/status (has it exited?)`);
  return Number(kb) * 1024;
}

export interface RssFigures {
  startBytes: number;
  peakBytes: number;
  endBytes: number;
  samples: number;
}

const MB = 1024 * 1024;

/** `start 78.1 MB, peak 120.4 MB, end 96.0 MB (412 samples)`. */
export function formatRss(f: RssFigures): string {
  const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
  return `start ${mb(f.startBytes)}, peak ${mb(f.peakBytes)}, end ${mb(f.endBytes)} (${f.samples} samples)`;
}

/** The bound of issue #11: the peak stays under twice the start plus 100 MB. */
export function rssBoundBytes(startBytes: number): number {
  return 2 * startBytes + 100 * MB;
}

/**
 * Samples a process's RSS on a timer while a scenario runs: `start()` reads the first
 * figure, `stop()` the last and returns start, peak and end.
 */
export class RssSampler {
  private timer: NodeJS.Timeout | undefined;
  private figures: RssFigures | undefined;

  constructor(
    private readonly pid: number,
    private readonly intervalMs = 50,
  ) {}

  start(): void {
    const first = readRssBytes(this.pid);
    this.figures = { startBytes: first, peakBytes: first, endBytes: first, samples: 1 };
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  private sample(): void {
    const f = this.figures;
    if (!f) return;
    const rss = readRssBytes(this.pid);
    f.peakBytes = Math.max(f.peakBytes, rss);
    f.endBytes = rss;
    f.samples += 1;
  }

  stop(): RssFigures {
    clearInterval(this.timer);
    this.timer = undefined;
    if (!this.figures) throw new Error('RssSampler.stop() before start()');
    this.sample();
    return { ...this.figures };
  }
}
