import { Agent, request } from 'undici';
import type { WorkerCmd } from '@tunasync/api-types';

/** What a worker's control server answered. */
export interface WorkerReply {
  status: number;
  /** The `msg` of a `{"msg": …}` body, else the body text (at most 500 characters). */
  said: string;
}

/** Sends commands to workers' control servers. */
export interface WorkerClient {
  /**
   * POSTs `cmd` to `url` with `Authorization: Bearer <token>` when a token is given (else the
   * client's own, if any); rejects when the worker cannot be reached or does not answer in time.
   */
  postCommand(url: string, cmd: WorkerCmd, token?: string): Promise<WorkerReply>;
  close(): Promise<void>;
}

export interface WorkerClientOptions {
  /** PEM text of a CA to trust (besides none: only this CA when set, as the Go manager). */
  ca?: string;
  /** Sent as `Authorization: Bearer <token>` (SPEC §7.1) when a call gives none. */
  token?: string;
  /** Whole-request timeout, 5 s by default as in the Go manager. */
  timeoutMs?: number;
}

function readSaid(text: string): string {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const o = parsed as Record<string, unknown>;
      if (typeof o.msg === 'string') return o.msg;
      if (typeof o.error === 'string') return o.error;
    }
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 500);
}

/** An undici client with its own connection pool; redirects are never followed. */
export function createWorkerClient(options: WorkerClientOptions = {}): WorkerClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const agent = new Agent({
    connect: { timeout: timeoutMs, ...(options.ca === undefined ? {} : { ca: options.ca }) },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return {
    async postCommand(url, cmd, token = options.token) {
      const headers: Record<string, string> = {
        'content-type': 'application/json; charset=utf-8',
      };
      if (token !== undefined) headers.authorization = `Bearer ${token}`;
      const response = await request(url, {
        method: 'POST',
        dispatcher: agent,
        headers,
        body: JSON.stringify(cmd),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.body.text();
      return { status: response.statusCode, said: readSaid(text) };
    },
    close: () => agent.close(),
  };
}
