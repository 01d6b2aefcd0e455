import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { goJsonIndent } from '../go-json';
import { asObjectList, loadObjectTemplate } from '../object-list';

/** The worker and mirror: `-w WORKER MIRROR`, or `WORKER MIRROR` without `-w`. */
function target(ctx: CommandContext): [string, string] {
  const { positionals } = ctx;
  if (ctx.string('worker') !== undefined) {
    if (positionals.length !== 1) {
      throw ctx.usageError('needs exactly MIRROR after -w WORKER (the worker is given once)');
    }
    return [ctx.requireWorker(), ctx.checkName('mirror', positionals[0] as string)];
  }
  if (positionals.length !== 2) {
    throw ctx.usageError('needs WORKER and MIRROR (or -w WORKER MIRROR)');
  }
  const [worker, mirror] = positionals as [string, string];
  return [ctx.checkName('worker', worker), ctx.checkName('mirror', mirror)];
}

/**
 * `history [--limit K] [-f TEMPLATE] (-w WORKER MIRROR | WORKER MIRROR)`: the mirror's last
 * finished runs, newest first (`GET /workers/:id/jobs/:job/history`, SPEC §7.8), printed as
 * Go's indented JSON or through `--format`.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const [worker, mirror] = target(ctx);
  const limit = ctx.string('limit');
  if (limit !== undefined && !/^[0-9]*[1-9][0-9]*$/.test(limit)) {
    throw ctx.usageError(`invalid --limit ${JSON.stringify(limit)}: must be a whole number from 1`);
  }
  const format = ctx.string('format');
  const template = format ? loadObjectTemplate().compileFormat(format, ctx.spec.usage) : undefined;
  const client = await ctx.connect();
  const what = `cannot show the history of ${mirror} on worker ${worker}`;
  const answer = client.call('history', {
    params: { id: worker, job: mirror },
    query: limit === undefined ? {} : { limit },
  });
  const runs = asObjectList(await doing(what, answer), what);
  ctx.print(
    template === undefined
      ? `${goJsonIndent(runs)}\n`
      : loadObjectTemplate().renderObjects(template, 'historyRecord', runs, ctx.spec.usage),
  );
}
