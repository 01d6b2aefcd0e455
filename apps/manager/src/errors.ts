import { TunasyncError, defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

/**
 * Every error the manager answers or exits with: a stable code, an HTTP status (for the
 * ones a request can cause) and the message template. Texts the Go manager had are kept
 * word for word, because `tunasynctl` and scripts print or match them.
 */
const MANAGER_ERROR_SPECS = {
  invalidWorkerId: {
    code: 'TUNASYNC_E_MANAGER_INVALID_WORKER_ID',
    status: 400,
    message: (id: string) => `invalid workerID ${id}`,
  },
  emptyMirrorName: {
    code: 'TUNASYNC_E_MANAGER_EMPTY_MIRROR_NAME',
    status: 400,
    message: () => 'mirror Name should not be empty',
  },
  invalidName: {
    code: 'TUNASYNC_E_MANAGER_INVALID_NAME',
    status: 400,
    message: (what: string, name: string, problem: string) =>
      `invalid ${what} ${JSON.stringify(name)}: ${problem}`,
  },
  mirrorNameMismatch: {
    code: 'TUNASYNC_E_MANAGER_MIRROR_NAME_MISMATCH',
    status: 400,
    message: (inBody: string, inPath: string) =>
      `mirror name ${JSON.stringify(inBody)} in the body does not match ${JSON.stringify(inPath)} in the URL`,
  },
  invalidBody: {
    code: 'TUNASYNC_E_MANAGER_INVALID_BODY',
    status: 400,
    message: (problems: string[]) => `invalid request body: ${problems.join('; ')}`,
  },
  malformedJson: {
    code: 'TUNASYNC_E_MANAGER_MALFORMED_JSON',
    status: 400,
    message: (detail: string) => `malformed JSON body: ${detail}`,
  },
  badRequest: {
    code: 'TUNASYNC_E_MANAGER_BAD_REQUEST',
    status: 400,
    message: (detail: string) => `bad request: ${detail}`,
  },
  badEncoding: {
    code: 'TUNASYNC_E_MANAGER_BAD_ENCODING',
    status: 400,
    message: (encoding: string) =>
      `body is not valid ${encoding} data (Content-Encoding: ${encoding})`,
  },
  bodyTooLarge: {
    code: 'TUNASYNC_E_MANAGER_BODY_TOO_LARGE',
    status: 413,
    message: (limit: string) => `request body is larger than ${limit}`,
  },
  invalidWorkerUrl: {
    code: 'TUNASYNC_E_MANAGER_INVALID_WORKER_URL',
    status: 400,
    message: (url: string) =>
      `worker url must be an http: or https: URL, got ${JSON.stringify(url)}`,
  },
  workerUrlCredentials: {
    code: 'TUNASYNC_E_MANAGER_WORKER_URL_CREDENTIALS',
    status: 400,
    message: (redacted: string) =>
      `worker url must not contain a user name or password (${JSON.stringify(redacted)}): the manager authenticates to workers with its token`,
  },
  unauthorized: {
    code: 'TUNASYNC_E_MANAGER_UNAUTHORIZED',
    status: 401,
    message: () => 'missing or invalid bearer token',
  },
  forbidden: {
    code: 'TUNASYNC_E_MANAGER_FORBIDDEN',
    status: 403,
    message: (reason: string) => reason,
  },
  workerTokenUnknown: {
    code: 'TUNASYNC_E_MANAGER_WORKER_TOKEN_UNKNOWN',
    status: 503,
    message: (id: string) =>
      `cannot call worker ${id} yet: it has a token of its own, which this manager learns ` +
      `from the worker's requests and has not seen since it started; the command will work ` +
      `after the worker's next report or heartbeat`,
  },
  routeNotFound: {
    code: 'TUNASYNC_E_MANAGER_ROUTE_NOT_FOUND',
    status: 404,
    message: (method: string, path: string) => `no route ${method} ${path}`,
  },
  methodNotAllowed: {
    code: 'TUNASYNC_E_MANAGER_METHOD_NOT_ALLOWED',
    status: 405,
    message: (method: string, path: string, allowed: string[]) =>
      `method ${method} is not allowed on ${path} (allowed: ${allowed.join(', ')})`,
  },
  alertsNotConfigured: {
    code: 'TUNASYNC_E_MANAGER_ALERTS_NOT_CONFIGURED',
    status: 404,
    message: () =>
      'no alert rules on this manager: add [[alerts]] tables to manager.conf (see the manager README)',
  },
  unknownAlertRule: {
    code: 'TUNASYNC_E_MANAGER_UNKNOWN_ALERT_RULE',
    status: 404,
    message: (detail: string) => detail,
  },
  mirrorzDisabled: {
    code: 'TUNASYNC_E_MANAGER_MIRRORZ_DISABLED',
    status: 404,
    message: () =>
      'the mirrorz document is not enabled on this manager: set enable = true in [mirrorz] of manager.conf, with abbr and url in [mirrorz.site]',
  },
  mirrorNotFound: {
    code: 'TUNASYNC_E_MANAGER_MIRROR_NOT_FOUND',
    status: 404,
    message: (mirror: string, worker: string) =>
      `no mirror '${mirror}' exists in worker '${worker}'`,
  },
  invalidLimit: {
    code: 'TUNASYNC_E_MANAGER_INVALID_LIMIT',
    status: 400,
    message: (given: string, reason: string) => `invalid limit ${given}: ${reason}`,
  },
  historyDisabled: {
    code: 'TUNASYNC_E_MANAGER_HISTORY_DISABLED',
    status: 404,
    message: () => 'run history is disabled on this manager ([server] history_size = 0)',
  },
  // The log routes (§7.14):
  logsNeedToken: {
    code: 'TUNASYNC_E_MANAGER_LOGS_NEED_TOKEN',
    status: 401,
    message: () =>
      'mirror logs need a token on this manager (public_logs is false): send an admin, worker or the shared token',
  },
  invalidTail: {
    code: 'TUNASYNC_E_MANAGER_INVALID_TAIL',
    status: 400,
    message: (given: string) =>
      `invalid tail ${given}: must be a whole number of lines from 1 to 10000`,
  },
  logUnreachable: {
    code: 'TUNASYNC_E_MANAGER_LOG_UNREACHABLE',
    status: 502,
    message: (job: string, id: string, url: string, reason: string) =>
      `cannot read the log of ${job} from worker ${id}(${url}): ${reason}`,
  },
  logRefused: {
    code: 'TUNASYNC_E_MANAGER_LOG_REFUSED',
    status: 502,
    /** Answered with the worker's 4xx status when it sent one. */
    message: (job: string, id: string, reason: string) =>
      `worker ${id} has no log of ${job} to show: ${reason}`,
  },
  mirrorNotSyncing: {
    code: 'TUNASYNC_E_MANAGER_MIRROR_NOT_SYNCING',
    status: 409,
    message: (mirror: string, worker: string, status: string) =>
      `mirror '${mirror}' of worker '${worker}' is not syncing (status ${status}): progress not recorded`,
  },
  emptyCmdWorker: {
    code: 'TUNASYNC_E_MANAGER_CMD_WITHOUT_WORKER',
    status: 400,
    message: (mirror: string) =>
      mirror === ''
        ? 'worker_id is empty: say which worker should receive the command'
        : `worker_id is empty: say which worker runs mirror ${mirror}`,
  },
  workerNotRegistered: {
    code: 'TUNASYNC_E_MANAGER_WORKER_NOT_REGISTERED',
    status: 400,
    message: (id: string) => `worker ${id} is not registered yet`,
  },
  workerUnreachable: {
    code: 'TUNASYNC_E_MANAGER_WORKER_UNREACHABLE',
    status: 502,
    message: (id: string, url: string, reason: string) =>
      `post command to worker ${id}(${url}) fail: ${reason}`,
  },
  workerTimeout: {
    code: 'TUNASYNC_E_MANAGER_WORKER_TIMEOUT',
    status: 504,
    message: (id: string, url: string, reason: string) =>
      `post command to worker ${id}(${url}) fail: ${reason}`,
  },
  workerRefused: {
    code: 'TUNASYNC_E_MANAGER_WORKER_REFUSED',
    status: 502,
    /** `command`: the verb and mirror (`start debian`); `reason`: the worker's own words. */
    message: (id: string, command: string, reason: string) =>
      `worker ${id} refused ${JSON.stringify(command)}: ${reason}`,
  },
  storeUnavailable: {
    code: 'TUNASYNC_E_MANAGER_STORE_UNAVAILABLE',
    status: 503,
    message: (reason: string) => `the database is unavailable, retry later: ${reason}`,
  },
  storeFailure: {
    code: 'TUNASYNC_E_MANAGER_STORE_FAILURE',
    status: 500,
    message: (doing: string, reason: string) => `failed to ${doing}: ${reason}`,
  },
  internal: {
    code: 'TUNASYNC_E_MANAGER_INTERNAL',
    status: 500,
    message: () => 'internal error of the manager (see its log)',
  },
  config: {
    code: 'TUNASYNC_E_MANAGER_CONFIG',
    message: (problems: string[]) => problems.join('\n'),
  },
  usage: {
    code: 'TUNASYNC_E_MANAGER_USAGE',
    message: (text: string) => text,
  },
  listen: {
    code: 'TUNASYNC_E_MANAGER_LISTEN',
    message: (where: string, reason: string) => `cannot listen on ${where}: ${reason}`,
  },
  /** `tunasync-manager import` cannot run as asked (exit 2); the text is printed as is. */
  importRefused: {
    code: 'TUNASYNC_E_MANAGER_IMPORT',
    message: (text: string) => text,
  },
} as const;

export const MANAGER_ERRORS = defineErrors(
  MANAGER_ERROR_SPECS,
  (entry, message, _args, options) =>
    new ManagerError(entry.code, entry.status ?? 0, message, options),
);

export type ManagerErrorName = keyof typeof MANAGER_ERRORS;
export type ManagerErrorCode = ErrorCodeOf<typeof MANAGER_ERRORS>;

/**
 * An error the manager reports: to an HTTP client with `status`, or at start-up (`status` 0:
 * no request causes it).
 */
export class ManagerError extends TunasyncError {
  override readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'ManagerError';
    this.status = status;
  }
}

export function isManagerError(err: unknown, name?: ManagerErrorName): err is ManagerError {
  return (
    err instanceof ManagerError && (name === undefined || err.code === MANAGER_ERRORS[name].code)
  );
}
