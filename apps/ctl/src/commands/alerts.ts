import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { CTL_ERRORS } from '../errors';
import { goJsonIndent } from '../go-json';

interface TestAnswer {
  state?: unknown;
  last_error?: unknown;
  id?: unknown;
}

/**
 * `alerts [--limit N]`: the manager's recent alerts and their delivery state (`GET /alerts`)
 * as indented JSON; `alerts test RULE`: a test event through one rule (`POST /alerts/test`),
 * exit 1 when it was not delivered.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const [first, ...rest] = ctx.positionals;
  if (first === 'test') {
    if (rest.length !== 1) throw ctx.usageError('alerts test needs exactly one RULE');
    const rule = rest[0] as string;
    const client = await ctx.connect();
    const what = `cannot test the alert rule ${rule}`;
    const answer = (await doing(what, client.call('testAlert', { body: { rule } }))) as TestAnswer;
    if (answer?.state === 'sent') {
      ctx.print(`test alert sent through rule ${rule}\n`);
      return;
    }
    throw CTL_ERRORS.alertNotSent(rule, String(answer?.last_error ?? 'no answer'));
  }
  if (first !== undefined) throw ctx.usageError(`unknown argument ${JSON.stringify(first)}`);
  const limit = ctx.string('limit');
  if (limit !== undefined && !/^[0-9]*[1-9][0-9]*$/.test(limit)) {
    throw ctx.usageError(`invalid --limit ${JSON.stringify(limit)}: must be a whole number from 1`);
  }
  const client = await ctx.connect();
  const answer = await doing(
    'cannot list the alerts',
    client.call('listAlerts', { query: { limit } }),
  );
  ctx.print(`${goJsonIndent(answer)}\n`);
}
