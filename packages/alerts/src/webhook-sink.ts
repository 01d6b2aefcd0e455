import type { AlertPayload } from './alert-event';
import type { SinkConfig } from './alert-rule';
import type { AlertSink } from './alert-sink';
import { ALERT_ERRORS } from './errors';
import { renderWebhookTemplate } from './webhook-template';
import { SIGNATURE_HEADER, webhookSignature } from './webhook-signature';

type WebhookConfig = Extract<SinkConfig, { kind: 'webhook' }>;

/** The `webhook` sink: one JSON POST per alert; any 2xx is success. */
export class WebhookSink implements AlertSink {
  readonly kind = 'webhook';

  constructor(private readonly config: WebhookConfig) {}

  async deliver(payload: AlertPayload): Promise<void> {
    const { url, secret, template, timeoutMs } = this.config;
    const body =
      template === undefined ? JSON.stringify(payload) : renderWebhookTemplate(template, payload);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': 'tunasync-manager',
      'X-Tunasync-Alert': payload.id,
    };
    if (secret !== undefined) headers[SIGNATURE_HEADER] = webhookSignature(secret, body);
    const shown = new URL(url).origin;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string; message?: string } };
      const reason =
        e.name === 'TimeoutError'
          ? `no answer within ${timeoutMs / 1000} s`
          : (e.cause?.code ?? e.cause?.message ?? String(err));
      throw ALERT_ERRORS.deliveryFailed.withCause(err, `webhook ${shown}`, reason);
    }
    const text = await response.text().catch(() => '');
    if (response.status < 200 || response.status > 299) {
      throw ALERT_ERRORS.deliveryFailed(
        `webhook ${shown}`,
        `HTTP ${response.status}${text ? `: ${text.slice(0, 200).trim()}` : ''}`,
      );
    }
  }

  async close(): Promise<void> {}
}
