import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliIo, CommandModule, ProgramName } from './command-context';
import { CommandContext } from './command-context';
import type { CommandSpec } from './command-table';
import { COMMON_OPTIONS, commandHelp, findCommand, programHelp } from './command-table';
import { CTL_ERRORS, CtlError } from './errors';
import { createStderrLogger } from './stderr-logger';
import type * as listModule from './commands/list';
import type * as workersModule from './commands/workers';
import type * as flushModule from './commands/flush';
import type * as alertsModule from './commands/alerts';
import type * as historyModule from './commands/history';
import type * as logsModule from './commands/logs';
import type * as rmWorkerModule from './commands/rm-worker';
import type * as setSizeModule from './commands/set-size';
import type * as completionModule from './commands/completion';
import type * as completeModule from './commands/complete';
import type * as tokenModule from './commands/token';
import type * as sendCommandModule from './commands/send-command';

export type { CliIo, ProgramName } from './command-context';

/** The names the program is installed under (`bin` of package.json); the first is the default. */
const PROGRAM_NAMES: readonly ProgramName[] = ['tunasynctl', 'tunasyncctl'];

/** The name the program was called by (`argv[1]`, the link npm made), else `tunasynctl`. */
function programNameOf(script: string | undefined): ProgramName {
  const name = basename(script ?? '').replace(/\.js$/, '');
  return PROGRAM_NAMES.find((known) => known === name) ?? 'tunasynctl';
}

/** Help, usage and messages are written as `tunasynctl`; say the name the user typed. */
function renamed(text: string, program: ProgramName): string {
  return program === 'tunasynctl' ? text : text.replace(/\btunasynctl\b/g, program);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/*
 * Each command's module is loaded only when that command runs (start-up time, SPEC §8).
 * `require`, not `import()`: in this CommonJS build a dynamic `import()` goes through
 * Node's ESM loader, which costs about 10 ms more at start-up.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const COMMAND_MODULES: Record<string, () => CommandModule> = {
  list: () => require('./commands/list') as typeof listModule,
  workers: () => require('./commands/workers') as typeof workersModule,
  flush: () => require('./commands/flush') as typeof flushModule,
  alerts: () => require('./commands/alerts') as typeof alertsModule,
  history: () => require('./commands/history') as typeof historyModule,
  logs: () => require('./commands/logs') as typeof logsModule,
  'rm-worker': () => require('./commands/rm-worker') as typeof rmWorkerModule,
  'set-size': () => require('./commands/set-size') as typeof setSizeModule,
  completion: () => require('./commands/completion') as typeof completionModule,
  __complete: () => require('./commands/complete') as typeof completeModule,
  token: () => require('./commands/token') as typeof tokenModule,
};
/* eslint-enable @typescript-eslint/no-require-imports */

function loadCommand(name: string): CommandModule {
  const load =
    COMMAND_MODULES[name] ??
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (() => require('./commands/send-command') as typeof sendCommandModule);
  return load();
}

function parseCommandLine(spec: CommandSpec, args: string[]) {
  try {
    return parseArgs({
      args,
      options: { ...(spec.usesManager ? COMMON_OPTIONS : {}), ...spec.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs explains in its first sentence; the rest (more sentences, sometimes more
    // lines) is about `--` or `--flag=-value`. One line on stderr.
    const firstLine = (err as Error).message.split('\n')[0] ?? '';
    const message = (firstLine.split('. ')[0] ?? '').replace(/\.$/, '');
    throw CTL_ERRORS.usage(`${spec.name}: ${message}`, spec.usage);
  }
}

/** `printHelp` writes help text (in the name called by); commands' output is never renamed. */
async function dispatch(
  argv: readonly string[],
  io: CliIo,
  printHelp: (help: string) => void,
): Promise<void> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    throw CTL_ERRORS.usage('no command given', 'tunasynctl COMMAND [options] [arguments]');
  }
  if (first === '--help' || first === '-h') {
    printHelp(programHelp());
    return;
  }
  if (first === '--version' || first === '-v' || first === '-V') {
    io.stdout.write(`${io.programName ?? 'tunasynctl'} ${version()}\n`);
    return;
  }
  if (first === 'help') {
    const topic = rest[0];
    const spec = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && spec === undefined) {
      throw CTL_ERRORS.usage(
        `no help for unknown command ${JSON.stringify(topic)}`,
        'tunasynctl help [COMMAND]',
      );
    }
    printHelp(spec === undefined ? programHelp() : commandHelp(spec));
    return;
  }
  const spec = findCommand(first);
  if (spec === undefined) {
    throw CTL_ERRORS.usage(
      `unknown command ${JSON.stringify(first)} (run "tunasynctl --help" for the list)`,
      'tunasynctl COMMAND [options] [arguments]',
    );
  }
  const { values, positionals } = parseCommandLine(spec, rest);
  if (values.help === true) {
    printHelp(commandHelp(spec));
    return;
  }
  const level = values.debug === true ? 'debug' : values.verbose === true ? 'info' : 'warn';
  const logger = createStderrLogger(io.stderr, level);
  const ctx = new CommandContext(spec, values, positionals, io, logger);
  const command = loadCommand(spec.name);
  await command.execute(ctx);
}

/**
 * Run `tunasynctl` with these arguments (without `node` and the script) and resolve with
 * the exit status: 0 success, 1 runtime failure, 2 usage or configuration error. Every
 * failure is reported on `io.stderr` in one line (and a usage error with the usage).
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const program = io.programName ?? 'tunasynctl';
  try {
    await dispatch(argv, io, (help) => io.stdout.write(renamed(help, program)));
    return 0;
  } catch (err) {
    const stderr = (text: string) => io.stderr.write(renamed(text, program));
    if (err instanceof CtlError) {
      stderr(`tunasynctl: ${err.message}\n`);
      if (err.usage !== undefined) {
        const help =
          argv[0] !== undefined && findCommand(argv[0])
            ? `tunasynctl ${argv[0]} --help`
            : 'tunasynctl --help';
        stderr(`Usage: ${err.usage}\nRun "${help}" for more.\n`);
      }
      return err.exitCode;
    }
    // Not one of ours: a bug. One line, and the stack only when debugging.
    const error = err instanceof Error ? err : new Error(String(err));
    stderr(`tunasynctl: internal error: ${error.message}\n`);
    if (argv.includes('--debug') && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/**
 * The program: `bin/tunasynctl.js` (installed as `tunasynctl` and `tunasyncctl`) calls this.
 * Sets the exit status; never calls exit.
 */
export async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    programName: programNameOf(process.argv[1]),
  });
}
