import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { CTL_ERRORS } from '../errors';

/**
 * `rm-worker [--purge] -w ID`: `DELETE /workers/ID` (`?purge=1`: its statuses too); the
 * manager must answer `deleted`.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  if (ctx.positionals.length > 0) throw ctx.usageError('takes no arguments besides -w WORKER');
  const worker = ctx.requireWorker();
  const client = await ctx.connect();
  const what = `cannot remove the worker ${worker}`;
  const path = `/workers/${encodeURIComponent(worker)}${ctx.bool('purge') ? '?purge=1' : ''}`;
  const body = await doing(what, client.delete(path));
  const message = (body as { message?: unknown } | null)?.message;
  if (message !== 'deleted') {
    throw CTL_ERRORS.badAnswer(
      what,
      `the manager answered ${JSON.stringify(body)} instead of {"message":"deleted"}`,
    );
  }
  ctx.print('Successfully removed the worker\n');
}
