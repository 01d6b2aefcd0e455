import type { ParseArgsConfig } from 'node:util';

/** The options of one command, as `node:util` `parseArgs` takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** One `tunasynctl` command: its flags, its help, and the module that runs it. */
export interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  /** The `Usage:` synopsis (printed after a usage error too). */
  readonly usage: string;
  /** What the command does, for its `--help`. */
  readonly description?: string;
  readonly options: OptionSpecs;
  /** Lines describing the command's own flags. */
  readonly flagHelp: readonly string[];
  /** Not listed in the help (used by the completion scripts). */
  readonly hidden?: boolean;
  /** Talks to the manager, so takes the common flags. */
  readonly usesManager: boolean;
}

export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  manager: { type: 'string', short: 'm' },
  port: { type: 'string', short: 'p' },
  'ca-cert': { type: 'string' },
  token: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const COMMON_FLAG_HELP = [
  '-c, --config FILE    read FILE after /etc/tunasync/ctl.conf and ~/.config/tunasync/ctl.conf',
  '-m, --manager ADDR   the manager server address (ctl.conf manager_addr, default localhost)',
  '-p, --port PORT      the manager server port (ctl.conf manager_port, default 14242)',
  '    --ca-cert CERT   trust the root CA in the PEM file CERT and talk HTTPS (ctl.conf ca_cert)',
  '    --token TOKEN    send "Authorization: Bearer TOKEN" (ctl.conf token)',
  '-v, --verbose        log informational messages on stderr',
  '    --debug          log debugging messages on stderr',
  '-h, --help           show this help',
] as const;

const WORKER = { worker: { type: 'string', short: 'w' } } as const satisfies OptionSpecs;
const WORKER_HELP = '-w, --worker WORKER  send the command to WORKER (required)';

export const TEMPLATE_HELP = [
  'TEMPLATE is a subset of Go templates, applied to each object, one line each:',
  '  text            printed as is',
  '  {{.Field}}      a field by its Go name, e.g. {{.Name}} {{.Status}} {{.LastUpdate}}',
  '  {{.F | printf "%-20s"}}, {{printf "%s=%d" .Name .LastUpdateTs}}, {{print .A .B}}',
  '                  printf verbs %v %s %d %q %t %f %x %% with flags - + 0, width, .precision',
  '  {{/* note */}}  a comment;  {{- and -}} trim the white space beside the action',
  'Fields of list --all: Name IsMaster Status LastUpdate LastUpdateTs LastStarted',
  '  LastStartedTs LastEnded LastEndedTs Scheduled (alias NextSchedule) ScheduledTs',
  '  (alias NextScheduleTs) Upstream Size; of list WORKER…: Name Worker IsMaster Status',
  '  LastUpdate LastStarted LastEnded Scheduled Upstream Size ErrorMsg; of workers: ID URL',
  '  Token LastOnline LastRegister; of history: Name Worker Started StartedTs Ended EndedTs',
  '  Duration Result Size ErrorMsg; plus any extra field the manager sends (progress →',
  '  .Progress). Times print as the manager sent them.',
] as const;

const jobCommand = (name: string, summary: string, force = false): CommandSpec => ({
  name,
  summary,
  usage: `tunasynctl ${name}${force ? ' [-f|--force]' : ''} -w WORKER MIRROR [ARG,ARG…]`,
  options: force ? { ...WORKER, force: { type: 'boolean', short: 'f' } } : WORKER,
  flagHelp: force
    ? [WORKER_HELP, '-f, --force          start even if the worker already runs `concurrent` jobs']
    : [WORKER_HELP],
  usesManager: true,
});

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'list',
    summary: 'List jobs of workers',
    usage:
      'tunasynctl list [-a|--all] [-s|--status S1,S2…] [--stale] [-f|--format TEMPLATE] [WORKER…]',
    description:
      'Prints the jobs of all workers (--all, GET /jobs) or of the named workers as an indented\n' +
      'JSON array, or each job through TEMPLATE.',
    options: {
      all: { type: 'boolean', short: 'a' },
      status: { type: 'string', short: 's' },
      stale: { type: 'boolean' },
      format: { type: 'string', short: 'f' },
    },
    flagHelp: [
      '-a, --all            list the jobs of all workers',
      '-s, --status LIST    only jobs with one of these statuses (none, failed, success,',
      '                     syncing, pre-syncing, paused, disabled), comma-separated',
      "    --stale          only stale jobs: last success older than the manager's",
      '                     stale_after (with --all, the items of GET /jobs?with_worker=1)',
      '-f, --format TMPL    print each job through the template TMPL (see below)',
      ...TEMPLATE_HELP,
    ],
    usesManager: true,
  },
  {
    name: 'workers',
    summary: 'List workers',
    usage: 'tunasynctl workers [-f|--format TEMPLATE]',
    options: { format: { type: 'string', short: 'f' } },
    flagHelp: [
      '-f, --format TMPL    print each worker through the template TMPL',
      ...TEMPLATE_HELP,
    ],
    usesManager: true,
  },
  {
    name: 'history',
    summary: 'Show the last runs of a mirror',
    usage:
      'tunasynctl history [--limit K] [-f|--format TEMPLATE] (-w WORKER MIRROR | WORKER MIRROR)',
    description:
      'Prints the last finished runs of MIRROR on WORKER, newest first (GET\n' +
      '/workers/WORKER/jobs/MIRROR/history), as an indented JSON array, or each run through\n' +
      'TEMPLATE. The worker is given by -w or as the first argument. The manager keeps its\n' +
      'last history_size runs of each mirror (manager.conf [server], default 50).',
    options: {
      ...WORKER,
      limit: { type: 'string' },
      format: { type: 'string', short: 'f' },
    },
    flagHelp: [
      '-w, --worker WORKER  the worker of the mirror (or give WORKER before MIRROR)',
      "    --limit K        only the newest K runs (1 to the manager's history_size)",
      '-f, --format TMPL    print each run through the template TMPL (see below)',
      ...TEMPLATE_HELP,
    ],
    usesManager: true,
  },
  {
    name: 'logs',
    summary: 'Show the log of a mirror',
    usage: 'tunasynctl logs [-f|--follow] [-n|--lines N] [--file NAME | --list] -w WORKER MIRROR',
    description:
      "Prints the last N lines of the log of MIRROR's current or last run on WORKER, read\n" +
      'through the manager from the worker (GET /workers/WORKER/jobs/MIRROR/log); with -f,\n' +
      'keeps printing what the log grows by (a new run: its log, after a ==> NAME <== line)\n' +
      'until interrupted. --list prints the log files the worker keeps (JSON), --file one of\n' +
      'them. With public_logs = false (the default) and tokens set, it needs a token (--token\n' +
      'or ctl.conf token).',
    options: {
      ...WORKER,
      follow: { type: 'boolean', short: 'f' },
      lines: { type: 'string', short: 'n' },
      file: { type: 'string' },
      list: { type: 'boolean' },
    },
    flagHelp: [
      '-w, --worker WORKER  the worker of the mirror (required)',
      '-f, --follow         keep printing what the log grows by',
      '-n, --lines N        the last N lines (1 to 10000, default 100)',
      '    --file NAME      the log file NAME (one of --list) instead of the current one',
      '    --list           list the log files of the mirror (name, size, modified, latest)',
    ],
    usesManager: true,
  },
  {
    name: 'flush',
    summary: 'Flush disabled jobs',
    usage: 'tunasynctl flush',
    options: {},
    flagHelp: [],
    usesManager: true,
  },
  {
    name: 'alerts',
    summary: "Show the manager's alerts, or send a test alert",
    usage: 'tunasynctl alerts [--limit N] | tunasynctl alerts test RULE',
    description:
      'Prints the recent alerts of the manager and their delivery state, newest first\n' +
      '(GET /alerts), as indented JSON. "alerts test RULE" sends a test event through the\n' +
      '[[alerts]] rule named RULE (POST /alerts/test) and fails when it was not delivered.',
    options: { limit: { type: 'string' } },
    flagHelp: ['    --limit N        only the newest N alerts (1 to 1000, default 100)'],
    usesManager: true,
  },
  {
    name: 'rm-worker',
    summary: 'Remove a worker',
    usage: 'tunasynctl rm-worker [--purge] -w WORKER',
    options: { ...WORKER, purge: { type: 'boolean' } },
    flagHelp: [
      '-w, --worker WORKER  the worker to remove (required)',
      '--purge              remove its mirror statuses too (off /jobs and the status page),',
      '                     also those of a worker removed before without --purge',
    ],
    usesManager: true,
  },
  {
    name: 'set-size',
    summary: 'Set mirror size',
    usage: 'tunasynctl set-size -w WORKER MIRROR SIZE',
    options: WORKER,
    flagHelp: ['-w, --worker WORKER  the worker of the mirror (required)'],
    usesManager: true,
  },
  jobCommand('start', 'Start a job', true),
  jobCommand('stop', 'Stop a job'),
  jobCommand('disable', 'Disable a job'),
  jobCommand('restart', 'Restart a job'),
  jobCommand('ping', 'Ping a job'),
  {
    name: 'reload',
    summary: 'Tell worker to reload configurations',
    usage: 'tunasynctl reload -w WORKER',
    options: WORKER,
    flagHelp: [WORKER_HELP],
    usesManager: true,
  },
  {
    name: 'token',
    summary: 'Make a new worker or admin token (does not call the manager)',
    usage: 'tunasynctl token create (-w WORKER | --admin NAME)',
    description:
      'Prints a new random token (32 random bytes, base64url) on the first line and, on the\n' +
      'second, its line for the manager\'s tokens file ("<name> sha256:<hex>"): add it to\n' +
      'worker_tokens_file (-w) or admin_tokens_file (--admin) and send the manager SIGHUP. The\n' +
      "token goes into the worker's [manager] token (worker.conf) or the admin's ctl.conf token.\n" +
      'No file is written and nothing is sent anywhere.',
    options: { ...WORKER, admin: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    flagHelp: [
      '-w, --worker WORKER  a token of worker WORKER (for worker_tokens_file)',
      '    --admin NAME     an admin token named NAME (for admin_tokens_file)',
      '-h, --help           show this help',
    ],
    usesManager: false,
  },
  {
    name: 'completion',
    summary: 'Print a shell completion script (bash or zsh)',
    usage: 'tunasynctl completion bash|zsh',
    description:
      'bash: source <(tunasynctl completion bash)   (or save it in /etc/bash_completion.d/)\n' +
      'zsh:  tunasynctl completion zsh > "${fpath[1]}/_tunasynctl"',
    options: { help: { type: 'boolean', short: 'h' } },
    flagHelp: ['-h, --help           show this help'],
    usesManager: false,
  },
  {
    name: '__complete',
    summary: 'Print completion candidates (used by the completion scripts)',
    usage: 'tunasynctl __complete workers|mirrors [-w WORKER] [common flags]',
    options: WORKER,
    flagHelp: [],
    hidden: true,
    usesManager: true,
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((command) => command.name === name);
}

/** The full help of one command. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`tunasynctl ${spec.name}: ${spec.summary}`, '', `Usage: ${spec.usage}`];
  if (spec.description !== undefined) lines.push('', spec.description);
  const flags = [...spec.flagHelp, ...(spec.usesManager ? COMMON_FLAG_HELP : [])];
  if (flags.length > 0) lines.push('', 'Options:', ...flags.map((line) => `  ${line}`));
  return `${lines.join('\n')}\n`;
}

/** The program's help: commands and where to read more. */
export function programHelp(): string {
  const visible = COMMANDS.filter((command) => command.hidden !== true);
  const width = Math.max(...visible.map((command) => command.name.length));
  return [
    'tunasynctl: control client for the tunasync manager',
    '',
    'Usage: tunasynctl COMMAND [options] [arguments]',
    '       tunasynctl --help | --version',
    '',
    'Commands:',
    ...visible.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`),
    `  ${'help'.padEnd(width)}  Show the help of a command`,
    '',
    'Run "tunasynctl COMMAND --help" for the options of a command.',
    'Output of list and workers goes to stdout as JSON; messages and logs go to stderr.',
    'Exit status: 0 success, 1 failure (the manager, the network), 2 usage or config error.',
    '',
  ].join('\n');
}
