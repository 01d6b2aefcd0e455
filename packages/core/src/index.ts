export { LayeredContext } from './layered-context';
export type { CommandSpec, CommandWrapper } from './command-spec';
export type { Provider, ProviderContextValues, ProviderProgress } from './provider';
export { HOOK_PHASES } from './job-hook';
export type { HookPhase, HookContext, HookHandler, JobHook } from './job-hook';
export { defineHook, isHookPhase } from './define-hook';
export { CORE_ERRORS } from './errors';
export type { CoreErrorCode, CoreErrorName } from './errors';
export { splitCommandLine } from './command-line';
export { mergeExecCommands } from './exec-commands';
export { parseMemoryLimit } from './memory-limit';
export { runTool, checkTool, describeExit } from './run-tool';
export type { ToolResult, RunToolOptions } from './run-tool';
export { createLogLimiterHook, logFileStamp } from './hooks/log-limiter-hook';
export type { LogLimiterHookOptions } from './hooks/log-limiter-hook';
export { createExecHook, execHookEnv } from './hooks/exec-hook';
export type { ExecHookOptions } from './hooks/exec-hook';
export { createZfsHook, zfsHelp } from './hooks/zfs-hook';
export type { ZfsHookOptions } from './hooks/zfs-hook';
export { createBtrfsSnapshotHook } from './hooks/btrfs-snapshot-hook';
export type { BtrfsSnapshotHookOptions } from './hooks/btrfs-snapshot-hook';
export { createDockerHook, dockerContainerName, dockerEnvFile } from './hooks/docker-hook';
export type { DockerHookOptions } from './hooks/docker-hook';
export {
  createCgroupHook,
  cgroupLayout,
  isUnifiedCgroup,
  CGROUP_JOIN_SCRIPT,
} from './hooks/cgroup-hook';
export type { CgroupHookOptions, CgroupLayout } from './hooks/cgroup-hook';
export { systemClock, MAX_TIMER_DELAY } from './clock';
export type { Clock, TimerHandle } from './clock';
export { formatGoDuration } from './go-duration';
export { writeFileDurably } from './durable-file';
export type { DurableWriteOptions } from './durable-file';
export { intervalTrigger, cronProblem, cronTrigger, createTrigger } from './run-trigger';
export type { RunTrigger } from './run-trigger';
export { ConcurrencyGate } from './concurrency-gate';
export type { GateSlot, GateRequest, GateRequestOptions } from './concurrency-gate';
export { Scheduler } from './scheduler';
export type { Schedulable, ScheduleEntry, SchedulerOptions } from './scheduler';
export { MirrorJob, JOB_STATES, JOB_ACTIONS } from './mirror-job';
export { buildMirrorStatus } from './mirror-status';
export type {
  JobState,
  JobAction,
  JobStatus,
  JobStatusEvent,
  JobStateChange,
  MirrorJobEvents,
  MirrorJobOptions,
} from './mirror-job';
