import type { Logger } from '@tunasync/api-types';
import type { Provider } from './provider';

/** The phases a hook can act in, in the order of a run (SPEC §4.3). */
export const HOOK_PHASES = [
  'pre-job',
  'pre-exec',
  'post-exec',
  'post-success',
  'post-fail',
] as const;
export type HookPhase = (typeof HOOK_PHASES)[number];

/** What a hook is given in each phase. */
export interface HookContext {
  /** The phase being run. */
  readonly phase: HookPhase;
  readonly provider: Provider;
  readonly logger: Logger;
  /** 1-based attempt number; 0 in pre-job. */
  readonly attempt: number;
  /** The failure message, in post-fail. */
  readonly error?: string;
}

export type HookHandler = (ctx: HookContext) => Promise<void> | void;

/**
 * A hook: a name and a handler per phase it acts in. A handler that throws fails the
 * run with `error exec hook <phase>: <message>`.
 */
export interface JobHook {
  readonly name: string;
  readonly handlers: Readonly<Partial<Record<HookPhase, HookHandler>>>;
}
