import { TunasyncError, defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

/** How `tunasynctl` ends (SPEC §6): 1 runtime failure, 2 usage or configuration error. */
export type ExitCode = 1 | 2;

/**
 * Every error of tunasynctl: a stable code, the exit code it ends the program with and the
 * message template. `CTL_ERRORS.<name>(…)` builds the `CtlError` (whose message is the one line
 * printed on stderr); a template's syntax error is a `TemplateError` or `PrintfFormatError`,
 * which the `--format` check turns into `template`.
 */
const CTL_ERROR_SPECS = {
  /** Bad command line: unknown command or flag, missing or extra argument (the command's usage follows). */
  usage: {
    code: 'TUNASYNC_E_CTL_USAGE',
    exitCode: 2,
    message: (what: string, _usage?: string) => what,
    make: ([, usage]: [string, string?], options: { cause?: unknown }, message: string) =>
      new CtlError('TUNASYNC_E_CTL_USAGE', message, { ...options, usage }),
  },
  /** A `--format` template that cannot be parsed or names an unknown field. */
  template: {
    code: 'TUNASYNC_E_CTL_TEMPLATE',
    exitCode: 2,
    message: (reason: string, _usage?: string) => `invalid --format template: ${reason}`,
    make: ([, usage]: [string, string?], options: { cause?: unknown }, message: string) =>
      new CtlError('TUNASYNC_E_CTL_TEMPLATE', message, { ...options, usage }),
  },
  /** The parse error of a template (`TemplateError`, line:column first). */
  templateSyntax: {
    code: 'TUNASYNC_E_CTL_TEMPLATE_SYNTAX',
    exitCode: 2,
    message: (detail: string) => detail,
    make: ([detail]: [string]) => new TemplateError(detail),
  },
  /** A `printf` format outside the supported subset (`PrintfFormatError`). */
  printfFormat: {
    code: 'TUNASYNC_E_CTL_PRINTF_FORMAT',
    exitCode: 2,
    message: (detail: string) => detail,
    make: ([detail]: [string]) => new PrintfFormatError(detail),
  },
  /** The ctl.conf cannot be read. */
  configUnreadable: {
    code: 'TUNASYNC_E_CTL_CONFIG',
    exitCode: 2,
    message: (file: string, reason: string) => `cannot read config file ${file}: ${reason}`,
  },
  /** The ctl.conf is not TOML, or has a wrong value: the problem already names file:line. */
  configProblem: {
    code: 'TUNASYNC_E_CTL_CONFIG',
    exitCode: 2,
    message: (problem: string) => problem,
  },
  /** The manager's address makes no usable URL. */
  configHost: {
    code: 'TUNASYNC_E_CTL_CONFIG',
    exitCode: 2,
    message: (from: string, host: string, url: string) =>
      `${from}: ${JSON.stringify(host)} is not a host name or address (it makes the URL ${JSON.stringify(url)})`,
  },
  /** The `--ca-cert`/`ca_cert` file cannot be read. */
  caCertUnreadable: {
    code: 'TUNASYNC_E_CTL_CA_CERT',
    exitCode: 2,
    message: (from: string, file: string, reason: string) =>
      `${from}: cannot read the CA certificate ${file}: ${reason}`,
  },
  /** The `--ca-cert`/`ca_cert` file holds no PEM certificate. */
  caCertNotPem: {
    code: 'TUNASYNC_E_CTL_CA_CERT',
    exitCode: 2,
    message: (from: string, file: string) =>
      `${from}: the CA certificate ${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
  },
  /** No answer from the manager in time. */
  timeout: {
    code: 'TUNASYNC_E_CTL_UNREACHABLE',
    exitCode: 1,
    message: (url: string, seconds: number) =>
      `the manager at ${url} did not answer within ${seconds} s`,
  },
  /** No TCP connection to the manager. */
  unreachable: {
    code: 'TUNASYNC_E_CTL_UNREACHABLE',
    exitCode: 1,
    message: (url: string, reason: string) => `cannot reach the manager at ${url}: ${reason}`,
  },
  /** No TLS connection to the manager. */
  tlsFailed: {
    code: 'TUNASYNC_E_CTL_UNREACHABLE',
    exitCode: 1,
    message: (url: string, reason: string) =>
      `TLS connection to the manager at ${url} failed: ${reason} (is ca_cert/--ca-cert the CA that signed the manager's certificate?)`,
  },
  /** The manager answered with an error status; `managerSaid` is its own `error` text. */
  managerError: {
    code: 'TUNASYNC_E_CTL_MANAGER_ERROR',
    exitCode: 1,
    message: (status: number, said: string) =>
      `the manager answered ${status}${said === '' ? '' : `: ${said}`}`,
    make: ([, said]: [number, string], options: { cause?: unknown }, message: string) =>
      new CtlError(
        'TUNASYNC_E_CTL_MANAGER_ERROR',
        message,
        said === '' ? options : { ...options, managerSaid: said },
      ),
  },
  /** The manager answered 2xx with a body that is not JSON. */
  notJson: {
    code: 'TUNASYNC_E_CTL_BAD_ANSWER',
    exitCode: 1,
    message: (status: number, body: string) =>
      `the manager answered ${status} with a body that is not JSON: ${body}`,
  },
  /** The manager answered 2xx with something that is not what the command expects. */
  badAnswer: {
    code: 'TUNASYNC_E_CTL_BAD_ANSWER',
    exitCode: 1,
    message: (what: string, problem: string) => `${what}: ${problem}`,
  },
} as const;

export const CTL_ERRORS = defineErrors(
  CTL_ERROR_SPECS,
  (entry, message, _args, options) => new CtlError(entry.code, message, options),
);

export type CtlErrorCode = ErrorCodeOf<typeof CTL_ERRORS>;

const EXIT_CODES: ReadonlyMap<string, ExitCode> = new Map(
  Object.values(CTL_ERRORS).map((entry) => [entry.code, entry.exitCode]),
);

/**
 * The one error type the commands throw. `message` is the single line printed on stderr;
 * `usage`, when set, is printed after it (usage errors print the command's usage).
 */
export class CtlError extends TunasyncError {
  readonly exitCode: ExitCode;
  readonly usage: string | undefined;
  /** `TUNASYNC_E_CTL_MANAGER_ERROR`: the manager's own `error` text, when it sent one. */
  readonly managerSaid: string | undefined;

  /** `code` is one of `CTL_ERRORS`; a `CtlError` re-thrown with more words keeps its code. */
  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; usage?: string; managerSaid?: string },
  ) {
    super(code, message, options);
    this.name = 'CtlError';
    this.exitCode = EXIT_CODES.get(code) ?? 1;
    this.usage = options?.usage;
    this.managerSaid = options?.managerSaid;
  }
}

/** A `--format` template that cannot be parsed, or that names a field the objects do not have. */
export class TemplateError extends TunasyncError {
  constructor(message: string) {
    super(CTL_ERRORS.templateSyntax.code, CTL_ERRORS.templateSyntax.message(message));
    this.name = 'TemplateError';
  }
}

/** A `printf` format that uses something outside the supported subset. */
export class PrintfFormatError extends TunasyncError {
  constructor(message: string) {
    super(CTL_ERRORS.printfFormat.code, CTL_ERRORS.printfFormat.message(message));
    this.name = 'PrintfFormatError';
  }
}

export function isCtlError(err: unknown): err is CtlError {
  return err instanceof CtlError;
}
