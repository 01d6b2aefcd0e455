import { TunasyncError } from '@tunasync/api-types';
import { CLIENT_ERROR_CODES } from '@tunasync/client';

/** How `tunasynctl` ends (SPEC §6): 1 runtime failure, 2 usage or configuration error. */
export type ExitCode = 1 | 2;

/** Every error code of tunasynctl, with the exit code it ends the program with. */
export const CTL_ERRORS = {
  /** Bad command line: unknown command or flag, missing or extra argument. */
  TUNASYNC_E_CTL_USAGE: 2,
  /** A `--format` template that cannot be parsed or names an unknown field. */
  TUNASYNC_E_CTL_TEMPLATE: 2,
  /** A ctl.conf that cannot be read, is not TOML, or has a wrong value. */
  TUNASYNC_E_CTL_CONFIG: 2,
  /** The `--ca-cert`/`ca_cert` file cannot be read. */
  TUNASYNC_E_CTL_CA_CERT: 2,
  /** No TCP/TLS connection to the manager, or no answer in time (@tunasync/client's code). */
  [CLIENT_ERROR_CODES.unreachable]: 1,
  /** The manager answered with an error status (@tunasync/client's code). */
  [CLIENT_ERROR_CODES.http]: 1,
  /** The manager answered 2xx with something that is not what the command expects. */
  TUNASYNC_E_CTL_BAD_ANSWER: 1,
} as const satisfies Record<string, ExitCode>;

export type CtlErrorCode = keyof typeof CTL_ERRORS;

/**
 * The one error type the commands throw. `message` is the single line printed on stderr;
 * `usage`, when set, is printed after it (usage errors print the command's usage).
 */
export class CtlError extends TunasyncError {
  override readonly code: CtlErrorCode;
  readonly exitCode: ExitCode;
  readonly usage: string | undefined;
  /** `TUNASYNC_E_CLIENT_HTTP`: the manager's own `error` text, when it sent one. */
  readonly managerSaid: string | undefined;

  constructor(
    code: CtlErrorCode,
    message: string,
    options?: { cause?: unknown; usage?: string; managerSaid?: string },
  ) {
    super(code, message, options);
    this.name = 'CtlError';
    this.code = code;
    this.exitCode = CTL_ERRORS[code];
    this.usage = options?.usage;
    this.managerSaid = options?.managerSaid;
  }
}

export function usageError(message: string, usage?: string): CtlError {
  return new CtlError('TUNASYNC_E_CTL_USAGE', message, { usage });
}

export function isCtlError(err: unknown): err is CtlError {
  return err instanceof CtlError;
}
