import { StringDecoder } from 'node:string_decoder';
import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { streamText } from '../log-stream';

/**
 * `logs [-f|--follow] [-n|--lines N] -w WORKER MIRROR`: the last N lines (default 100) of the
 * mirror's current or last run's log, read through the manager from the worker
 * (`GET /workers/:id/jobs/:job/log`, SPEC §7.14); with `-f`, keeps printing what the log
 * grows by until interrupted.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const worker = ctx.requireWorker();
  if (ctx.positionals.length !== 1)
    throw ctx.usageError('needs exactly one MIRROR after -w WORKER');
  const mirror = ctx.checkName('mirror', ctx.positionals[0] as string);
  const lines = ctx.string('lines') ?? '100';
  if (!/^[0-9]{1,5}$/.test(lines) || Number(lines) < 1 || Number(lines) > 10000) {
    throw ctx.usageError(
      `invalid --lines ${JSON.stringify(lines)}: must be a whole number from 1 to 10000`,
    );
  }
  const client = await ctx.connect();
  const path =
    `/workers/${encodeURIComponent(worker)}/jobs/${encodeURIComponent(mirror)}/log?tail=${lines}` +
    (ctx.bool('follow') ? '&follow=1' : '');
  // A chunk may end inside a UTF-8 character: the decoder keeps its start for the next one.
  const text = new StringDecoder('utf8');
  await doing(
    `cannot show the log of ${mirror} on worker ${worker}`,
    streamText(client.endpoint, path, ctx.logger, (chunk) => ctx.print(text.write(chunk))),
  );
  const rest = text.end();
  if (rest !== '') ctx.print(rest);
}
