export { configuredRegistry, isolatedEnv, runIsolated, runNpm } from './isolated-npm';
export type { IsolatedNpmOptions, NpmResult } from './isolated-npm';
export { VERDACCIO_BIN, startLocalRegistry } from './local-registry';
export type { LocalRegistry, LocalRegistryOptions } from './local-registry';
export { startProgram } from './program-process';
export type { ProgramExit, ProgramProcess } from './program-process';
