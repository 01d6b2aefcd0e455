import { silentLogger } from '@tunasync/api-types';
import type { HookPhase, JobHook, Provider } from '../../src';

/** Call one phase of a hook the way the job does. */
export async function runHook(
  hook: JobHook,
  phase: HookPhase,
  provider: Provider,
  extra: { attempt?: number; error?: string } = {},
): Promise<void> {
  const handler = hook.handlers[phase];
  if (!handler) throw new Error(`${hook.name} has no ${phase} handler`);
  await handler({ phase, provider, logger: silentLogger, attempt: extra.attempt ?? 1, ...extra });
}
