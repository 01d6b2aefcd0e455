import { CORE_ERRORS } from './errors';
import { HOOK_PHASES } from './job-hook';
import type { HookHandler, HookPhase, JobHook } from './job-hook';

/**
 * Build a `JobHook`, checking that every handler belongs to a known phase
 * (`pre-job`, `pre-exec`, `post-exec`, `post-success`, `post-fail`).
 *
 * @throws TunasyncError `TUNASYNC_E_UNKNOWN_HOOK_PHASE` for any other key, or a handler that is not a function.
 */
export function defineHook(
  name: string,
  handlers: Readonly<Partial<Record<HookPhase, HookHandler>>>,
): JobHook {
  const checked: Partial<Record<HookPhase, HookHandler>> = {};
  for (const [phase, handler] of Object.entries(handlers)) {
    if (!isHookPhase(phase) || typeof handler !== 'function') {
      throw CORE_ERRORS.unknownHookPhase(name, phase, HOOK_PHASES);
    }
    checked[phase] = handler as HookHandler;
  }
  return Object.freeze({ name, handlers: Object.freeze(checked) });
}

export function isHookPhase(value: unknown): value is HookPhase {
  return typeof value === 'string' && (HOOK_PHASES as readonly string[]).includes(value);
}
