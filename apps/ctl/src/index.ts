// tunasynctl's public surface: its start function (one command line, its output written to
// `io`, the exit code resolved). Embedders build on the libraries (see the README,
// "Embedding"); the rest of src/ is the program's.
export { run } from './cli';
export type { CliIo, ProgramName } from './cli';
