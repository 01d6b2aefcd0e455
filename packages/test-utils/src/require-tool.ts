import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** A system tool a test needs is not installed. Tests fail with it; they never skip. */
export class MissingToolError extends Error {
  readonly code = 'TUNASYNC_E_TEST_TOOL_MISSING';

  constructor(
    readonly tool: string,
    readonly installHint: string,
  ) {
    super(
      `"${tool}" is required by these tests but was not found on PATH; install it (e.g. \`${installHint}\`) and run them again`,
    );
    this.name = 'MissingToolError';
  }
}

/** The absolute path of an executable on `PATH`, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = isAbsolute(name)
    ? [name]
    : path
        .split(delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * The absolute path of `tool`, or a `MissingToolError` saying how to install it.
 * Call it at the top of a suite (or in `beforeAll`) so a missing tool fails loudly.
 */
export function requireTool(tool: string, installHint: string): string {
  const found = findExecutable(tool);
  if (found === undefined) throw new MissingToolError(tool, installHint);
  return found;
}
