import { TunasyncError, defineErrors } from '@tunasync/api-types';
import type { ErrorCodeOf } from '@tunasync/api-types';

/** Every error the alerts library throws, with its stable code. */
export const ALERT_ERRORS = defineErrors({
  /** A delivery attempt failed (HTTP status, connection, SMTP refusal, exit code, timeout). */
  deliveryFailed: {
    code: 'TUNASYNC_E_ALERT_DELIVERY_FAILED',
    message: (sink: string, reason: string) => `${sink}: ${reason}`,
  },
  /** `test(name)` names no `[[alerts]]` rule. */
  unknownRule: {
    code: 'TUNASYNC_E_ALERT_UNKNOWN_RULE',
    message: (name: string, known: string) =>
      `no alert rule named ${JSON.stringify(name)}; the rules are: ${known}`,
  },
});

export type AlertErrorCode = ErrorCodeOf<typeof ALERT_ERRORS>;

const CODES: ReadonlySet<string> = new Set(Object.values(ALERT_ERRORS).map((e) => e.code));

export function isAlertError(err: unknown, code?: AlertErrorCode): err is TunasyncError {
  return (
    err instanceof TunasyncError && CODES.has(err.code) && (code === undefined || err.code === code)
  );
}
