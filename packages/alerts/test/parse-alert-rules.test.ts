import { validateManagerConfig } from '@tunasync/api-types';
import type { AlertRuleConfigFile } from '@tunasync/api-types';
import { parseAlertRules, ruleMatches } from '../src/index';
import type { AlertEvent } from '../src/index';

function problems(tables: AlertRuleConfigFile[]): string[] {
  return parseAlertRules(tables, 'm.conf').problems;
}

describe('parseAlertRules', () => {
  test('the example of the issue gives one rule with its defaults', () => {
    const { rules, problems: found } = parseAlertRules(
      [
        {
          events: ['failed', 'recovered'],
          mirrors: ['debian*', 'ubuntu'],
          after_failures: 2,
          webhook: 'https://hooks.example.org/tunasync',
          webhook_secret: 'x',
        },
      ],
      'm.conf',
    );
    expect(found).toEqual([]);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      name: '1',
      afterFailures: 2,
      throttleMs: 0,
      retries: 5,
      sink: {
        kind: 'webhook',
        url: 'https://hooks.example.org/tunasync',
        secret: 'x',
        timeoutMs: 10_000,
      },
    });
    const rule = rules[0]!;
    const event = (extra: Partial<AlertEvent>): AlertEvent => ({
      id: 'e',
      event: 'failed',
      time: 't',
      worker: 'w',
      mirror: 'debian-security',
      consecutive_failures: 2,
      ...extra,
    });
    expect(ruleMatches(rule, event({}))).toBe(true);
    expect(ruleMatches(rule, event({ consecutive_failures: 1 }))).toBe(false);
    expect(ruleMatches(rule, event({ consecutive_failures: 3 }))).toBe(false);
    expect(ruleMatches(rule, event({ mirror: 'ubuntu-ports' }))).toBe(false);
    expect(ruleMatches(rule, event({ event: 'recovered', consecutive_failures: 5 }))).toBe(true);
    expect(ruleMatches(rule, event({ event: 'recovered', consecutive_failures: 1 }))).toBe(false);
    expect(ruleMatches(rule, event({ event: 'stale' }))).toBe(false);
  });

  test('each mistake is one line naming file, rule and key', () => {
    expect(problems([{ name: 'a' }])).toEqual([
      'm.conf:alerts[0] (a): give exactly one sink (webhook, email_to or exec)',
    ]);
    expect(problems([{ webhook: 'ftp://x/', exec: 'x' }])).toEqual([
      'm.conf:alerts[0]: give exactly one sink (webhook, email_to or exec), not webhook and exec',
      'm.conf:alerts[0].webhook: must start with http:// or https:// (got ftp://)',
    ]);
    expect(problems([{ email_to: 'ops', webhook_secret: 's' }])).toEqual([
      'm.conf:alerts[0].webhook_secret: belongs to a rule with webhook',
      'm.conf:alerts[0].email_to: "ops" is not an e-mail address',
      'm.conf:alerts[0].smtp_url: email_to needs smtp_url = "smtp://user:pass@host:587"',
      "m.conf:alerts[0].email_from: email_to needs email_from (the sender's address)",
    ]);
    expect(
      problems([
        { name: 'x', email_to: ['a@b.c'], email_from: 'me@b.c', smtp_url: 'http://h' },
        { name: 'x', exec: '  ' },
      ]),
    ).toEqual([
      'm.conf:alerts[0] (x).smtp_url: must start with smtp:// or smtps:// (got http://)',
      'm.conf:alerts[1] (x).name: another rule is named x',
      'm.conf:alerts[1] (x).exec: no command',
    ]);
    expect(
      problems([{ webhook: 'https://h/', webhook_template: '{"text": {{summary}}}' }]),
    ).toEqual([
      expect.stringMatching(/^m\.conf:alerts\[0\]\.webhook_template: is not JSON once filled in/),
    ]);
    expect(problems([{ webhook: 'https://h/', webhook_template: '{"t": "{{nope}}"}' }])).toEqual([
      expect.stringMatching(
        /webhook_template: unknown placeholder \{\{nope\}\}; the placeholders are \{\{summary\}\}/,
      ),
    ]);
    expect(problems([{ webhook: 'https://h/', events: [] }])).toEqual([
      'm.conf:alerts[0].events: an empty list sends nothing; leave the key out for all',
    ]);
  });

  test('the schema names unknown keys and events with their table', () => {
    const result = validateManagerConfig({
      alerts: [{ webhook: 'https://h/', events: ['faild'], after_failure: 2 }],
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([
      'alerts[0].after_failure: unknown key, did you mean `after_failures`?',
      'alerts[0].events[0]: must be one of "failed", "recovered", "stale", "worker-offline", "worker-online" (got "faild")',
    ]);
  });

  test('exec as a string is split at spaces (no shell)', () => {
    const { rules } = parseAlertRules([{ exec: '/usr/bin/notify  --to  ops' }], 'm.conf');
    expect(rules[0]?.sink).toEqual({ kind: 'exec', argv: ['/usr/bin/notify', '--to', 'ops'] });
  });
});
