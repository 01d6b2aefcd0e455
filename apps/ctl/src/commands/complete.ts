import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { asObjectList } from '../object-list';

/**
 * Hidden `__complete workers|mirrors [-w WORKER]`: candidate names for the completion
 * scripts, one a line (mirrors of WORKER, or of every worker without -w).
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const [kind, ...extra] = ctx.positionals;
  if ((kind !== 'workers' && kind !== 'mirrors') || extra.length > 0) {
    throw ctx.usageError('needs workers or mirrors');
  }
  const worker = ctx.string('worker');
  const client = await ctx.connect();
  let names: unknown[];
  if (kind === 'workers') {
    const what = 'cannot list the workers';
    names = asObjectList(await doing(what, client.call('listWorkers')), what).map((w) => w.id);
  } else {
    const what = 'cannot list the mirrors';
    const jobs = worker
      ? client.call('listWorkerJobs', { params: { id: worker } })
      : client.call('listJobs');
    names = asObjectList(await doing(what, jobs), what).map((m) => m.name);
  }
  const unique = [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
  ctx.print(
    unique
      .sort()
      .map((name) => `${name}\n`)
      .join(''),
  );
}
