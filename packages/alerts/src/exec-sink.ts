import { spawn } from 'node:child_process';
import type { AlertPayload } from './alert-event';
import type { AlertSink } from './alert-sink';
import { ALERT_ERRORS } from './errors';

/** The `TUNASYNC_*` variables of the exec sink (the manager README). */
export function execEnvironment(payload: AlertPayload): Record<string, string> {
  const first = payload.events[0];
  return {
    TUNASYNC_ALERT_ID: payload.id,
    TUNASYNC_ALERT_RULE: payload.rule,
    TUNASYNC_ALERT_KIND: payload.kind,
    TUNASYNC_ALERT_SUMMARY: payload.summary,
    TUNASYNC_EVENT: payload.kind === 'digest' ? 'digest' : (first?.event ?? ''),
    TUNASYNC_WORKER: first?.worker ?? '',
    TUNASYNC_MIRROR: first?.mirror ?? '',
    TUNASYNC_ERROR: first?.error ?? '',
  };
}

/**
 * The `exec` sink: runs the command (no shell) with the payload as JSON on stdin and the
 * `TUNASYNC_*` variables; exit 0 is success. Killed after `timeoutMs`.
 */
export class ExecSink implements AlertSink {
  readonly kind = 'exec';

  constructor(
    private readonly argv: readonly string[],
    private readonly timeoutMs = 60_000,
  ) {}

  deliver(payload: AlertPayload): Promise<void> {
    const [command, ...args] = this.argv as [string, ...string[]];
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        shell: false,
        stdio: ['pipe', 'ignore', 'pipe'],
        env: { ...process.env, ...execEnvironment(payload) },
      });
      // Our own timer (spawn's `timeout` outlives a command that failed to start).
      const timer = setTimeout(() => child.kill('SIGKILL'), this.timeoutMs);
      timer.unref();
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 4096) stderr += chunk;
      });
      child.stdin.on('error', () => undefined);
      child.on('error', (err) => {
        clearTimeout(timer);
        reject(ALERT_ERRORS.deliveryFailed.withCause(err, `exec ${command}`, err.message));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (code === 0) return resolve();
        const why = signal !== null ? `killed by ${signal}` : `exit code ${code}`;
        const said = stderr.trim().split('\n').slice(-3).join(' / ');
        reject(ALERT_ERRORS.deliveryFailed(`exec ${command}`, said ? `${why}: ${said}` : why));
      });
      child.stdin.end(`${JSON.stringify(payload)}\n`);
    });
  }

  async close(): Promise<void> {}
}
