/**
 * Base of every typed error in tunasync. `code` is stable (`TUNASYNC_E_…`) and is what
 * programs match on; `message` is for people.
 */
export class TunasyncError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TunasyncError';
    this.code = code;
  }
}

export function isTunasyncError(err: unknown, code?: string): err is TunasyncError {
  return err instanceof TunasyncError && (code === undefined || err.code === code);
}
