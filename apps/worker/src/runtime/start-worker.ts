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
  // The handlers are installed before start-up, which may wait for a manager: SIGINT/SIGTERM
  // then cut the start-up short and halt, SIGHUP reloads once started — never the default
  // action of killing the process.
  const runtime = await WorkerRuntime.create({
    ...options,
    config,
    configFile: context.configFile,
    strict: context.strict,
    stateDir: context.stateDir,
    logger,
  });
  let starting = true;
  let reloadRequested = false;
  const onHangup = (): void => {
    if (starting) {
      logger.info('SIGHUP during start-up: reloading once started');
      reloadRequested = true;
      return;
    }
    logger.info('SIGHUP: reloading the configuration');
    // A broken file is logged by the reload itself and the running config kept.
    runtime.reload().catch(() => undefined);
  };
  const onStop = (signal: NodeJS.Signals): void => {
    logger.info(`${signal}: halting`);
    void runtime.halt();
  };
  const removeHandlers = (): void => {
    process.off('SIGHUP', onHangup);
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
  };
  process.on('SIGHUP', onHangup);
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  try {
    await runtime.boot();
  } catch (err) {
    removeHandlers();
    throw err;
  }
  starting = false;
  if (reloadRequested) onHangup();
  const finished = runtime.finished.finally(removeHandlers);
  return { finished, runtime };
}
