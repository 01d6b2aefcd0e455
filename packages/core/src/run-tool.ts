import { spawn } from 'node:child_process';
import { CORE_ERRORS } from './errors';

/** What a finished tool run produced. */
export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  cwd?: string;
  /** Added on top of the worker's environment. */
  env?: Record<string, string>;
}

const MAX_CAPTURE = 64 * 1024;

/**
 * Run an external program (never through a shell) and collect its output. Resolves with
 * the exit code even when it is not 0; rejects only when the program cannot be started.
 */
export function runTool(
  argv: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const [command, ...args] = argv;
  if (command === undefined) return Promise.reject(CORE_ERRORS.toolFailed([], 'is empty'));
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += chunk;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const how =
        err.code === 'ENOENT'
          ? `cannot be run: ${command} is not installed or not on PATH`
          : `cannot be run: ${err.message}`;
      reject(CORE_ERRORS.toolFailed.withCause(err, argv, how));
    });
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** How a tool ended, in words: `exited with code 1: <last line of stderr>`. */
export function describeExit(result: ToolResult): string {
  const how =
    result.signal !== null ? `was killed by ${result.signal}` : `exited with code ${result.code}`;
  const last = result.stderr.trim().split('\n').pop()?.trim();
  return last ? `${how}: ${last}` : how;
}

/** Run a tool and fail with a coded error unless it exits 0. */
export async function checkTool(
  argv: readonly string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const result = await runTool(argv, options);
  if (result.code !== 0) throw CORE_ERRORS.toolFailed(argv, describeExit(result));
  return result;
}
