import type { RunningWorker, StartWorkerContext } from '../cli';
import type { WorkerConfig } from '../config/worker-config';
import { WorkerRuntime, type WorkerRuntimeOptions } from './worker-runtime';

/** Extra runtime options (tests use short waits). */
export type StartWorkerOptions = Partial<
  Omit<WorkerRuntimeOptions, 'config' | 'configFile' | 'strict' | 'stateDir' | 'logger'>
>;

/**
 * Starts the worker runtime for the CLI and wires the signals of SPEC §4.2.5: SIGHUP
 * reloads, SIGINT/SIGTERM halt. The handlers are removed once the worker has halted.
 */
export async function startWorker(
  config: WorkerConfig,
  context: StartWorkerContext,
  options: StartWorkerOptions = {},
): Promise<RunningWorker & { runtime: WorkerRuntime }> {
  const logger = context.logger;
  const runtime = await WorkerRuntime.start({
    ...options,
    config,
    configFile: context.configFile,
    strict: context.strict,
    stateDir: context.stateDir,
    logger,
  });
  const onHangup = (): void => {
    logger.info('SIGHUP: reloading the configuration');
    // A broken file is logged by the reload itself and the running config kept.
    runtime.reload().catch(() => undefined);
  };
  const onStop = (signal: NodeJS.Signals): void => {
    logger.info(`${signal}: halting`);
    void runtime.halt();
  };
  process.on('SIGHUP', onHangup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  const finished = runtime.finished.finally(() => {
    process.off('SIGHUP', onHangup);
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  });
  return { finished, runtime };
}
