import { createHash, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  isCmdVerb,
  isTunasyncError,
  parseBearerToken,
  validateWorkerCmd,
  type Logger,
  type WorkerCmd,
} from '@tunasync/api-types';
import { WORKER_ERRORS } from '../errors';
import { CONTROL_ANSWERS } from './control-answers';
import { registerLogRoutes } from './log-routes';
import type { LogRouteOptions } from './log-routes';
import type { QueuedCommand, WorkerCommands } from './worker-commands';

export { CONTROL_ANSWERS };

/** The worker's errors that the control server answers with their own status. */
const ANSWERED_CODES: ReadonlySet<string> = new Set(
  Object.values<{ readonly code: string; readonly status?: number }>(WORKER_ERRORS)
    .filter((entry) => entry.status !== undefined)
    .map((entry) => entry.code),
);

export interface ControlServerOptions {
  commands: WorkerCommands;
  logger: Logger;
  /** When set, every command needs `Authorization: Bearer <token>` (SPEC §7.1). */
  token?: string;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** `''` = every interface. */
  host: string;
  /** `0` = any free port. */
  port: number;
  /** How often a followed log is checked for growth (§7.14; default 500 ms). */
  followPollMs?: number;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Constant-time check of an `Authorization` header against the token (both hashed first);
 * the header is read by the manager's parser, `parseBearerToken`.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = parseBearerToken(header);
  return timingSafeEqual(digest(given ?? ''), digest(token)) && given !== undefined;
}

function parseCommand(raw: string): WorkerCmd {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw WORKER_ERRORS.controlInvalidRequest();
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const cmd = (body as { cmd?: unknown }).cmd;
    if (typeof cmd === 'string' && !isCmdVerb(cmd)) {
      // The shape is judged with a known verb: a well-formed command with an unknown verb is a 406.
      if (validateWorkerCmd({ ...body, cmd: 'ping' }).ok) {
        throw WORKER_ERRORS.controlInvalidCommand();
      }
    }
  }
  const result = validateWorkerCmd(body);
  if (!result.ok) throw WORKER_ERRORS.controlInvalidRequest();
  return result.value;
}

/** Largest command body the control server reads (a WorkerCmd is a few hundred bytes). */
const BODY_LIMIT_BYTES = 64 * 1024;

/** The express app of the control server: `POST /` with a WorkerCmd. */
export function createControlApp(options: Omit<ControlServerOptions, 'host' | 'port' | 'tls'>) {
  const { commands, logger, token } = options;
  const logOptions: LogRouteOptions = { source: commands };
  if (options.followPollMs !== undefined) logOptions.followPollMs = options.followPollMs;
  const app = express();
  app.disable('x-powered-by');
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
      logger.warn('refused a command without the right bearer token', {
        remote: req.socket.remoteAddress,
      });
      res.status(401).json({ msg: CONTROL_ANSWERS.unauthorized });
      return;
    }
    next();
  });
  // A declared length over the limit is refused from the headers, before the body is read,
  // and the connection closed: a client cannot make the worker wait for a body it throws away.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > BODY_LIMIT_BYTES) {
      res.set('Connection', 'close').status(413).json({ msg: CONTROL_ANSWERS.tooLarge });
      return;
    }
    next();
  });
  // Like the Go worker, the body is read as JSON whatever its content type says. A body that
  // is not what its Content-Encoding says, or nests too deep, is an "Invalid request" (400).
  app.post(
    '/',
    express.text({ type: () => true, limit: BODY_LIMIT_BYTES }),
    async (req: Request, res: Response) => {
      const cmd = parseCommand(typeof req.body === 'string' ? req.body : '');
      logger.info(`received command ${cmd.cmd}${cmd.mirror_id ? ` ${cmd.mirror_id}` : ''}`, {
        mirror: cmd.mirror_id || undefined,
        options: cmd.options,
      });
      let queued: QueuedCommand;
      if (cmd.mirror_id === '') {
        if (cmd.cmd !== 'reload') throw WORKER_ERRORS.controlInvalidCommand();
        queued = await commands.queueReload();
      } else {
        const name = cmd.mirror_id;
        if (!commands.hasMirror(name)) throw WORKER_ERRORS.controlMirrorNotFound(name);
        if (cmd.cmd === 'reload') throw WORKER_ERRORS.controlInvalidCommand();
        queued = commands.queueJobCommand(name, cmd.cmd, { force: cmd.options.force === true });
      }
      // Accepted: it takes effect in order; a later failure is the runtime's to log.
      queued.applied.catch(() => undefined);
      res.json({ msg: CONTROL_ANSWERS.ok });
    },
  );
  // The mirrors' logs (§7.14): read only, from the mirrors' own log directories.
  registerLogRoutes(app, logOptions);
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ msg: 'Not found' });
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    // A refusal of the catalog (a halting worker's included): its status and text.
    if (isTunasyncError(err) && err.status !== undefined && ANSWERED_CODES.has(err.code)) {
      res.status(err.status).json({ msg: err.message });
      return;
    }
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(400).json({ msg: CONTROL_ANSWERS.invalidRequest });
      return;
    }
    logger.error(`command failed: ${(err as Error).message}`, { stack: (err as Error).stack });
    res.status(500).json({ msg: (err as Error).message });
  });
  return app;
}

/**
 * A request Node's HTTP parser refuses (a broken request line, both Content-Length and
 * Transfer-Encoding, a bad chunk) never reaches the app: answer it like any other bad
 * request, 400 `{"msg":"Invalid request"}`, instead of Node's empty 400, and close.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const answering = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ msg: CONTROL_ANSWERS.invalidRequest });
  socket.end(
    'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The worker's control server (SPEC §4.1), HTTP or HTTPS. */
export class ControlServer {
  private server: http.Server | https.Server | undefined;

  constructor(private readonly options: ControlServerOptions) {}

  /** Listens; resolves with the bound port. */
  async start(): Promise<number> {
    const app = createControlApp(this.options);
    const server = this.options.tls
      ? https.createServer({ cert: this.options.tls.cert, key: this.options.tls.key }, app)
      : http.createServer(app);
    server.requestTimeout = 120_000;
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const host = this.options.host === '' ? undefined : this.options.host;
      server.listen({ port: this.options.port, ...(host ? { host } : {}) }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this.port;
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address?.port ?? 0;
  }

  get protocol(): 'http' | 'https' {
    return this.options.tls ? 'https' : 'http';
  }

  /** Stops listening and drops open connections. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
