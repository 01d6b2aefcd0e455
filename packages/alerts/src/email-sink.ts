import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { AlertPayload } from './alert-event';
import type { SinkConfig } from './alert-rule';
import type { AlertSink } from './alert-sink';
import { ALERT_ERRORS } from './errors';

type EmailConfig = Extract<SinkConfig, { kind: 'email' }>;

export interface EmailSinkOptions {
  /** PEM text of a CA to trust for the SMTP server's certificate (`files.ca_cert`). */
  ca?: string;
  timeoutMs?: number;
}

/**
 * The `email` sink (nodemailer): `smtp://` upgrades with STARTTLS when the server offers
 * it, `smtps://` is TLS from the start; the URL's user and password log in. One message
 * per alert (a digest is one message too).
 */
export class EmailSink implements AlertSink {
  readonly kind = 'email';
  private readonly transport: Transporter;
  private readonly shown: string;

  constructor(
    private readonly config: EmailConfig,
    options: EmailSinkOptions = {},
  ) {
    const url = new URL(config.smtpUrl);
    this.shown = `${url.protocol}//${url.host}`;
    const timeout = options.timeoutMs ?? 30_000;
    this.transport = createTransport({
      host: url.hostname,
      port: url.port === '' ? (url.protocol === 'smtps:' ? 465 : 587) : Number(url.port),
      secure: url.protocol === 'smtps:',
      ...(url.username === ''
        ? {}
        : {
            auth: {
              user: decodeURIComponent(url.username),
              pass: decodeURIComponent(url.password),
            },
          }),
      ...(options.ca === undefined ? {} : { tls: { ca: options.ca } }),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async deliver(payload: AlertPayload): Promise<void> {
    try {
      await this.transport.sendMail({
        from: this.config.from,
        to: this.config.to,
        subject: `[tunasync] ${payload.summary.slice(0, 150)}`,
        text: `${payload.summary}\n\n${JSON.stringify(payload, null, 2)}\n`,
        headers: { 'X-Tunasync-Alert': payload.id },
      });
    } catch (err) {
      throw ALERT_ERRORS.deliveryFailed.withCause(
        err,
        `email via ${this.shown}`,
        (err as Error).message,
      );
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
