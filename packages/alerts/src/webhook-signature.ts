import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying the signature of a webhook body: `sha256=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'X-Tunasync-Signature';

/** `sha256=` and the hex HMAC-SHA256 of `body` under `secret` (as GitHub's webhooks). */
export function webhookSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/** For receivers: whether `header` is the signature of `body` under `secret`. */
export function verifyWebhookSignature(
  secret: string,
  body: string,
  header: string | undefined,
): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(webhookSignature(secret, body));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
