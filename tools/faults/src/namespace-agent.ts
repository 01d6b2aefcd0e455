import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What the agent does for the test inside its namespace, one JSON line per request. */
const AGENT = String.raw`
const net = require('node:net');
const rl = require('node:readline').createInterface({ input: process.stdin });
const reply = (m) => process.stdout.write(JSON.stringify(m) + '\n');
rl.on('line', async (line) => {
  const q = JSON.parse(line);
  const started = Date.now();
  if (q.op === 'http') {
    try {
      const r = await fetch(q.url, {
        method: q.method,
        body: q.body === undefined ? undefined : JSON.stringify(q.body),
        headers: q.body === undefined ? {} : { 'content-type': 'application/json' },
        signal: AbortSignal.timeout(q.timeoutMs),
      });
      reply({ id: q.id, status: r.status, text: await r.text(), ms: Date.now() - started });
    } catch (err) {
      reply({ id: q.id, error: String(err && err.name) + ': ' + String(err && err.message), ms: Date.now() - started });
    }
  } else if (q.op === 'connect') {
    const socket = net.connect({ host: q.host, port: q.port });
    const done = (result) => { socket.destroy(); clearTimeout(timer); reply({ id: q.id, result, ms: Date.now() - started }); };
    const timer = setTimeout(() => done('timeout'), q.timeoutMs);
    socket.once('connect', () => done('connected'));
    socket.once('error', (err) => done('error: ' + (err.code || err.message)));
  }
});
`;

export interface AgentAnswer {
  /** HTTP status, when an answer came. */
  status?: number;
  text?: string;
  /** Why no answer came (an abort after the timeout, a connection error). */
  error?: string;
  /** `connected`, `timeout` or `error: CODE` of a `connect`. */
  result?: string;
  /** Milliseconds the request took, measured inside the namespace. */
  ms: number;
}

/**
 * A small node process inside a network namespace that makes requests for the test (the
 * test's own namespace cannot reach those addresses, and must not): HTTP through `fetch`,
 * and bare TCP connects. It talks to the test over its stdin/stdout, never over a network.
 */
export class NamespaceAgent {
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, (answer: AgentAnswer) => void>();
  private next = 0;

  constructor(readonly ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', AGENT], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const answer = JSON.parse(line) as AgentAnswer & { id: number };
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  private ask(query: Record<string, unknown>): Promise<AgentAnswer> {
    const id = this.next++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin?.write(`${JSON.stringify({ ...query, id })}\n`);
    });
  }

  http(method: string, url: string, body?: unknown, timeoutMs = 30_000): Promise<AgentAnswer> {
    return this.ask({ op: 'http', method, url, body, timeoutMs });
  }

  /** GET `url` and parse the JSON of a 2xx answer; throws otherwise. */
  async json<T>(url: string): Promise<T> {
    const answer = await this.http('GET', url);
    if (answer.status === undefined || answer.status >= 300) {
      throw new Error(`GET ${url}: ${answer.status ?? answer.error}`);
    }
    return JSON.parse(answer.text ?? '') as T;
  }

  connect(host: string, port: number, timeoutMs: number): Promise<AgentAnswer> {
    return this.ask({ op: 'connect', host, port, timeoutMs });
  }

  /** Ends the agent. Idempotent. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}
