import type { MirrorSizeMessage } from '@tunasync/api-types';
import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { CTL_ERRORS } from '../errors';

/**
 * `set-size -w ID MIRROR SIZE`: `POST /workers/ID/jobs/MIRROR/size`; succeeds only when the
 * status the manager answers with carries that size.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  if (ctx.positionals.length !== 2) throw ctx.usageError('needs exactly MIRROR and SIZE');
  const worker = ctx.requireWorker();
  const [mirrorArg, size] = ctx.positionals as [string, string];
  const mirror = ctx.checkName('mirror', mirrorArg);
  const client = await ctx.connect();
  const message: MirrorSizeMessage = { name: mirror, size };
  const what = `cannot set the size of ${mirror} on worker ${worker}`;
  const path = `/workers/${encodeURIComponent(worker)}/jobs/${encodeURIComponent(mirror)}/size`;
  const body = await doing(what, client.post(path, message));
  const answered = (body as { size?: unknown } | null)?.size;
  if (answered !== size) {
    throw CTL_ERRORS.badAnswer(
      what,
      `mirror size error, expecting ${size}, the manager returned ${typeof answered === 'string' ? answered : JSON.stringify(answered)}`,
    );
  }
  ctx.print(`Successfully updated mirror size to ${size}\n`);
}
