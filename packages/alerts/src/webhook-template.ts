import type { AlertPayload } from './alert-event';

/** The placeholders of `webhook_template`; each is replaced by JSON-string-escaped text. */
export const TEMPLATE_PLACEHOLDERS = [
  'summary',
  'rule',
  'id',
  'event',
  'worker',
  'mirror',
  'error',
  'time',
  'payload',
] as const;

function escaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function values(payload: AlertPayload): Record<string, string> {
  const first = payload.events[0];
  return {
    summary: payload.summary,
    rule: payload.rule,
    id: payload.id,
    event: payload.kind === 'digest' ? 'digest' : (first?.event ?? ''),
    worker: first?.worker ?? '',
    mirror: first?.mirror ?? '',
    error: first?.error ?? '',
    time: first?.time ?? '',
    payload: JSON.stringify(payload),
  };
}

/**
 * The body of a templated webhook: `template` with each `{{name}}` replaced by the value's
 * JSON-string escape (so it belongs inside quotes: `{"text": "{{summary}}"}`).
 */
export function renderWebhookTemplate(template: string, payload: AlertPayload): string {
  const v = values(payload);
  return template.replace(/\{\{\s*([a-z]+)\s*\}\}/g, (whole, name: string) =>
    Object.hasOwn(v, name) ? escaped(v[name] as string) : whole,
  );
}

/** Why a template cannot be used (unknown placeholder, not JSON once filled), or undefined. */
export function templateProblem(template: string): string | undefined {
  for (const match of template.matchAll(/\{\{\s*([a-z]*)\s*\}\}/g)) {
    const name = match[1] ?? '';
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      return `unknown placeholder {{${name}}}; the placeholders are ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`;
    }
  }
  const sample: AlertPayload = {
    version: 1,
    id: 'x"\\\n',
    rule: 'r"',
    kind: 'event',
    summary: 's"\n',
    events: [{ id: 'e', event: 'failed', time: 't', worker: 'w', mirror: 'm', error: 'e"\\' }],
  };
  try {
    JSON.parse(renderWebhookTemplate(template, sample));
  } catch (err) {
    return `is not JSON once filled in (${(err as Error).message}); placeholders belong inside quotes`;
  }
  return undefined;
}
