import { TunasyncError } from '@tunasync/api-types';

/** Every error code of the alerts library; stable, for programs to match on. */
export const ALERT_ERROR_CODES = {
  /** A delivery attempt failed (HTTP status, SMTP refusal, exit code, timeout). */
  deliveryFailed: 'TUNASYNC_E_ALERT_DELIVERY_FAILED',
  /** `test RULE` names no `[[alerts]]` rule. */
  unknownRule: 'TUNASYNC_E_ALERT_UNKNOWN_RULE',
} as const;

export type AlertErrorCode = (typeof ALERT_ERROR_CODES)[keyof typeof ALERT_ERROR_CODES];

export class AlertError extends TunasyncError {
  constructor(code: AlertErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'AlertError';
  }
}

export function isAlertError(err: unknown, code?: AlertErrorCode): err is AlertError {
  return err instanceof AlertError && (code === undefined || err.code === code);
}

/** Message templates, one per code. */
export const alertErrors = {
  deliveryFailed: (sink: string, reason: string, cause?: unknown) =>
    new AlertError(
      ALERT_ERROR_CODES.deliveryFailed,
      `${sink}: ${reason}`,
      cause === undefined ? undefined : { cause },
    ),
  unknownRule: (name: string, known: readonly string[]) =>
    new AlertError(
      ALERT_ERROR_CODES.unknownRule,
      `no alert rule named ${JSON.stringify(name)}; the rules are: ${
        known.length === 0 ? '(none configured)' : known.join(', ')
      }`,
    ),
};
