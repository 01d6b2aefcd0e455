import type { AlertPayload } from './alert-event';

/** One way out for alerts. `deliver` resolves once the alert was accepted, or rejects. */
export interface AlertSink {
  /** For messages and metrics: `webhook`, `email`, `exec`. */
  readonly kind: string;
  deliver(payload: AlertPayload): Promise<void>;
  /** Releases what the sink holds (connections). Idempotent. */
  close(): Promise<void>;
}
