import type { AlertRule } from './alert-rule';
import type { AlertSink } from './alert-sink';
import { EmailSink } from './email-sink';
import { ExecSink } from './exec-sink';
import { WebhookSink } from './webhook-sink';

export interface SinkOptions {
  /** PEM text of a CA to trust (the SMTP server's certificate). */
  ca?: string;
}

/** The sink of a rule. */
export function createSink(rule: AlertRule, options: SinkOptions = {}): AlertSink {
  const sink = rule.sink;
  switch (sink.kind) {
    case 'webhook':
      return new WebhookSink(sink);
    case 'email':
      return new EmailSink(sink, options.ca === undefined ? {} : { ca: options.ca });
    case 'exec':
      return new ExecSink(sink.argv);
  }
}
