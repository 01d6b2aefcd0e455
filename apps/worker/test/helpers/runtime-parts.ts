import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger, MirrorStatus } from '@tunasync/api-types';
import type { Provider } from '@tunasync/core';
import { createProvider } from '@tunasync/providers';
import { loadWorkerConfig } from '../../src/config/load-worker-config';
import type { WorkerConfig } from '../../src/config/worker-config';
import { Reporter } from '../../src/reporting/reporter';
import { JobStateFile } from '../../src/runtime/job-state-file';
import { MirrorReports } from '../../src/runtime/mirror-reports';
import type { TinyManager } from './tiny-manager';
import { memoryLogger, workerConf, type WorkerConfOptions } from './worker-fixture';

/** Writes worker.conf into `dir` and loads it. */
export async function loadConf(
  dir: string,
  conf: WorkerConfOptions,
): Promise<{ file: string; config: WorkerConfig }> {
  const file = path.join(dir, 'worker.conf');
  await writeFile(file, workerConf(dir, conf));
  const { config } = await loadWorkerConfig(file);
  return { file, config };
}

/** The real provider of mirror `name` of `config`. */
export function providerOf(config: WorkerConfig, name: string, logger?: Logger): Provider {
  const mirror = config.mirrors.find((m) => m.name === name);
  if (!mirror) throw new Error(`no mirror ${name} in the test config`);
  return createProvider(mirror, config, logger ? { logger } : {});
}

export interface ReportingParts {
  reporter: Reporter;
  reports: MirrorReports;
  stateFile: JobStateFile;
  logger: Logger;
  log: () => string;
  /** Every status body reported, in order. */
  reported: MirrorStatus[];
  /** What `halting()` answers. */
  halting: { value: boolean };
  /** What `schedules()` answers. */
  schedules: { name: string; at: Date }[];
  close: () => Promise<void>;
}

/**
 * A started Reporter (outboxes in `<dir>/state`) to `manager`, and MirrorReports on it with
 * a real state file; the schedule list and the halting flag are the test's.
 */
export async function reportingParts(
  dir: string,
  manager: TinyManager,
  workerName = 'w1',
): Promise<ReportingParts> {
  const { logger, text } = memoryLogger();
  const stateDir = path.join(dir, 'state');
  const reporter = new Reporter({
    stateDir,
    apiBases: [manager.url],
    workerId: workerName,
    logger,
    backoff: { initialMs: 20, maxMs: 200 },
  });
  const stateFile = new JobStateFile(stateDir, logger);
  const halting = { value: false };
  const schedules: { name: string; at: Date }[] = [];
  const reports = new MirrorReports({
    reporter,
    stateFile,
    workerName: () => workerName,
    schedules: () => schedules,
    halting: () => halting.value,
    logger,
  });
  const reported: MirrorStatus[] = [];
  reports.onReport((status) => reported.push(status));
  await reporter.start();
  return {
    reporter,
    reports,
    stateFile,
    logger,
    log: text,
    reported,
    halting,
    schedules,
    close: async () => {
      await reports.settle();
      await reporter.drained(2000);
      await reporter.close();
    },
  };
}
