import type { FileHandle } from 'node:fs/promises';
import type { Request, Response, Router } from 'express';
import { CONTROL_ANSWERS } from './control-answers';
import { listMirrorLogs, openMirrorLog, pickMirrorLog, readTail } from './mirror-logs';
import type { MirrorLogFile } from './mirror-logs';

/** What the log routes need of the worker: which mirrors exist and where their logs are. */
export interface MirrorLogSource {
  hasMirror(name: string): boolean;
  /** The mirror's log directory (its `log_dir`, templates applied); undefined: unknown. */
  logDirOf?(name: string): string | undefined;
}

export interface LogRouteOptions {
  source: MirrorLogSource;
  /** How often a followed log is checked for growth (default 500 ms). */
  followPollMs?: number;
}

/** Lines of `?tail=` when not given, and the most accepted. */
export const DEFAULT_TAIL_LINES = 100;
export const MAX_TAIL_LINES = 10000;

function tailLines(value: unknown): number | undefined {
  if (value === undefined) return DEFAULT_TAIL_LINES;
  if (typeof value !== 'string' || !/^[0-9]{1,6}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= MAX_TAIL_LINES ? n : undefined;
}

function sendMsg(res: Response, status: number, msg: string): void {
  res.status(status).json({ msg });
}

/** The mirror's log directory and files, or an answer already sent. */
async function mirrorLogs(
  source: MirrorLogSource,
  req: Request,
  res: Response,
): Promise<{ dir: string; files: MirrorLogFile[] } | undefined> {
  const name = String(req.params.name);
  const dir = source.hasMirror(name) ? source.logDirOf?.(name) : undefined;
  if (dir === undefined) {
    sendMsg(res, 404, CONTROL_ANSWERS.notFound(name));
    return undefined;
  }
  return { dir, files: await listMirrorLogs(dir, name) };
}

/**
 * Follows an open log from `position`: writes what is appended, every `pollMs`, until the
 * client goes away. When `latest` is followed and a new run points it at another file, the
 * new file is followed from its start.
 */
function follow(
  req: Request,
  res: Response,
  dir: string,
  name: string,
  first: { handle: FileHandle; file: MirrorLogFile; position: number },
  pollMs: number,
  followLatest: boolean,
): void {
  let { handle, file, position } = first;
  let busy = false;
  let done = false;
  const poll = async () => {
    if (busy || done) return;
    busy = true;
    try {
      if (followLatest) {
        const now = pickMirrorLog(await listMirrorLogs(dir, name), undefined);
        if (now !== undefined && now.name !== file.name && now.latest) {
          const next = await openMirrorLog(dir, now);
          await handle.close();
          handle = next;
          file = now;
          position = 0;
          res.write(`\n==> ${now.name} <==\n`);
        }
      }
      const { size } = await handle.stat();
      if (size < position) position = 0; // truncated
      while (size > position && !done) {
        const buffer = Buffer.alloc(Math.min(size - position, 256 * 1024));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        res.write(buffer.subarray(0, bytesRead));
      }
    } catch {
      stop();
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void poll(), pollMs);
  const stop = () => {
    if (done) return;
    done = true;
    clearInterval(timer);
    void handle.close().catch(() => undefined);
    res.end();
  };
  req.on('close', stop);
  res.on('close', stop);
}

/**
 * The log routes of the control server (SPEC §7.14), behind its token check:
 * `GET /jobs/:name/logs` lists the mirror's log files, `GET /jobs/:name/log` sends the last
 * `?tail=N` lines (default 100) of `?file=NAME` (default: the current or last run's), and
 * with `?follow=1` keeps the answer open and sends what is appended (chunked text). A file
 * is only ever one the worker listed in the mirror's own log directory: a name in the
 * request is compared with the listing, never made into a path.
 */
export function registerLogRoutes(router: Router, options: LogRouteOptions): void {
  const { source } = options;
  const pollMs = options.followPollMs ?? 500;

  router.get('/jobs/:name/logs', async (req, res) => {
    const logs = await mirrorLogs(source, req, res);
    if (logs !== undefined) res.json({ files: logs.files });
  });

  router.get('/jobs/:name/log', async (req, res) => {
    const lines = tailLines(req.query.tail);
    if (lines === undefined) {
      sendMsg(res, 400, `tail must be a whole number from 1 to ${MAX_TAIL_LINES}`);
      return;
    }
    const wanted = req.query.file;
    if (wanted !== undefined && typeof wanted !== 'string') {
      sendMsg(res, 400, 'give file once, as a name from /jobs/:name/logs');
      return;
    }
    const logs = await mirrorLogs(source, req, res);
    if (logs === undefined) return;
    const file = pickMirrorLog(logs.files, wanted);
    if (file === undefined) {
      const what = wanted === undefined ? 'has no log file yet' : `has no log file ${wanted}`;
      sendMsg(res, 404, `Mirror ${String(req.params.name)} ${what}`);
      return;
    }
    const handle = await openMirrorLog(logs.dir, file);
    let keep = false;
    try {
      const { size } = await handle.stat();
      const tail = await readTail(handle, size, lines);
      res.set({
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        'X-Log-File': file.name,
        'X-Content-Type-Options': 'nosniff',
      });
      const followed = req.query.follow === '1' || req.query.follow === 'true';
      if (!followed) {
        res.send(tail);
        return;
      }
      res.flushHeaders();
      res.write(tail);
      keep = true;
      follow(
        req,
        res,
        logs.dir,
        String(req.params.name),
        { handle, file, position: size },
        pollMs,
        wanted === undefined,
      );
    } finally {
      if (!keep) await handle.close();
    }
  });
}
