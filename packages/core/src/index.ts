export { LayeredContext } from './layered-context';
export type { CommandSpec, CommandWrapper } from './command-spec';
export type { Provider, ProviderContextValues } from './provider';
export { HOOK_PHASES } from './job-hook';
export type { HookPhase, HookContext, HookHandler, JobHook } from './job-hook';
