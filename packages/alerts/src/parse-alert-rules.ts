import { ALERT_EVENT_KINDS } from '@tunasync/api-types';
import type { AlertRuleConfigFile } from '@tunasync/api-types';
import type { AlertRule, SinkConfig } from './alert-rule';
import { nameMatcher } from './name-glob';
import { templateProblem } from './webhook-template';

/** Defaults of the `[[alerts]]` keys (the manager README's table). */
export const ALERT_RULE_DEFAULTS = {
  after_failures: 1,
  throttle: 0,
  retries: 5,
  webhook_timeout: 10,
} as const;

export interface ParsedAlertRules {
  rules: AlertRule[];
  /** One line each: `<file>:alerts[<i>] (<name>).<key>: <reason>`. */
  problems: string[];
}

function urlProblem(text: string, protocols: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL`;
  }
  if (!protocols.includes(url.protocol)) {
    return `must start with ${protocols.map((p) => `${p}//`).join(' or ')} (got ${url.protocol}//)`;
  }
  if (url.hostname === '') return 'has no host';
  return undefined;
}

/** The argv of `exec`: a list as it is, a string split at spaces (there is no shell). */
function argvOf(exec: string | string[]): string[] {
  return Array.isArray(exec) ? exec : exec.split(/\s+/).filter((part) => part !== '');
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Checks the `[[alerts]]` tables (already of the right types, `validateManagerConfig`) and
 * builds their rules: exactly one sink per rule, URLs, addresses, templates, unique names.
 * `where` is the config file (problems `file:alerts[i] (name).key: …`), or what places a key
 * path (`alerts[0].webhook`) in it.
 */
export function parseAlertRules(
  tables: readonly AlertRuleConfigFile[] | undefined,
  where: string | ((path: string) => string),
): ParsedAlertRules {
  const rules: AlertRule[] = [];
  const problems: string[] = [];
  const names = new Set<string>();
  (tables ?? []).forEach((t, i) => {
    const name = t.name ?? `${i + 1}`;
    const path = (key: string) => `alerts[${i}]${key === '' ? '' : `.${key}`}`;
    const at = (key: string) =>
      typeof where === 'function'
        ? where(path(key))
        : `${where}:alerts[${i}]${t.name === undefined ? '' : ` (${t.name})`}${key === '' ? '' : `.${key}`}`;
    const before = problems.length;
    if (names.has(name)) problems.push(`${at('name')}: another rule is named ${name}`);
    names.add(name);
    if (t.events !== undefined && t.events.length === 0) {
      problems.push(`${at('events')}: an empty list sends nothing; leave the key out for all`);
    }
    const sinks = (['webhook', 'email_to', 'exec'] as const).filter((k) => t[k] !== undefined);
    if (sinks.length !== 1) {
      problems.push(
        `${at('')}: give exactly one sink (webhook, email_to or exec)${
          sinks.length > 1 ? `, not ${sinks.join(' and ')}` : ''
        }`,
      );
    }
    const onlyWith = (keys: readonly (keyof AlertRuleConfigFile)[], sink: string) => {
      for (const key of keys) {
        if (t[key] !== undefined && sinks[0] !== sink) {
          problems.push(`${at(key)}: belongs to a rule with ${sink}`);
        }
      }
    };
    onlyWith(['webhook_secret', 'webhook_timeout', 'webhook_template'], 'webhook');
    onlyWith(['smtp_url', 'email_from'], 'email_to');

    let sink: SinkConfig | undefined;
    if (t.webhook !== undefined) {
      const problem = urlProblem(t.webhook, ['http:', 'https:']);
      if (problem) problems.push(`${at('webhook')}: ${problem}`);
      if (t.webhook_secret === '') problems.push(`${at('webhook_secret')}: is empty`);
      const template = t.webhook_template;
      const tp = template === undefined ? undefined : templateProblem(template);
      if (tp) problems.push(`${at('webhook_template')}: ${tp}`);
      sink = {
        kind: 'webhook',
        url: t.webhook,
        timeoutMs: (t.webhook_timeout ?? ALERT_RULE_DEFAULTS.webhook_timeout) * 1000,
        ...(t.webhook_secret === undefined ? {} : { secret: t.webhook_secret }),
        ...(template === undefined ? {} : { template }),
      };
    } else if (t.email_to !== undefined) {
      const to = list(t.email_to);
      if (to.length === 0) problems.push(`${at('email_to')}: no address`);
      for (const address of to) {
        if (!/^[^@\s]+@[^@\s]+$/.test(address)) {
          problems.push(`${at('email_to')}: ${JSON.stringify(address)} is not an e-mail address`);
        }
      }
      if (t.smtp_url === undefined) {
        problems.push(`${at('smtp_url')}: email_to needs smtp_url = "smtp://user:pass@host:587"`);
      } else {
        const problem = urlProblem(t.smtp_url, ['smtp:', 'smtps:']);
        if (problem) problems.push(`${at('smtp_url')}: ${problem}`);
      }
      if (t.email_from === undefined) {
        problems.push(`${at('email_from')}: email_to needs email_from (the sender's address)`);
      } else if (!/^(.*<)?[^@\s<>]+@[^@\s<>]+>?$/.test(t.email_from)) {
        problems.push(
          `${at('email_from')}: ${JSON.stringify(t.email_from)} is not an e-mail address`,
        );
      }
      sink = { kind: 'email', to, from: t.email_from ?? '', smtpUrl: t.smtp_url ?? '' };
    } else if (t.exec !== undefined) {
      const argv = argvOf(t.exec);
      if (argv.length === 0 || argv[0] === '') problems.push(`${at('exec')}: no command`);
      sink = { kind: 'exec', argv };
    }
    if (problems.length > before || sink === undefined) return;
    rules.push({
      name,
      events: new Set(t.events ?? ALERT_EVENT_KINDS),
      mirrors: nameMatcher(t.mirrors),
      workers: nameMatcher(t.workers),
      afterFailures: t.after_failures ?? ALERT_RULE_DEFAULTS.after_failures,
      throttleMs: (t.throttle ?? ALERT_RULE_DEFAULTS.throttle) * 1000,
      retries: t.retries ?? ALERT_RULE_DEFAULTS.retries,
      sink,
    });
  });
  return { rules, problems };
}
