import { StringDecoder } from 'node:string_decoder';
import { MANAGER_ROUTES, routePath } from '@tunasync/client';
import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { goJsonIndent } from '../go-json';
import { streamText } from '../log-stream';

/**
 * `logs [-f|--follow] [-n|--lines N] [--file NAME | --list] -w WORKER MIRROR`: the last N
 * lines (default 100) of the mirror's current or last run's log (or of `--file`), read
 * through the manager from the worker (`GET /workers/:id/jobs/:job/log`, SPEC §7.14); with
 * `-f`, keeps printing what the log grows by until interrupted; `--list`: the log files
 * (`GET …/logs`) as indented JSON.
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
  const file = ctx.string('file');
  if (ctx.bool('list') && (file !== undefined || ctx.bool('follow'))) {
    throw ctx.usageError('--list goes alone (without --file or --follow)');
  }
  const client = await ctx.connect();
  const params = { id: worker, job: mirror };
  if (ctx.bool('list')) {
    const what = `cannot list the logs of ${mirror} on worker ${worker}`;
    const answer = (await doing(what, client.call('workerLogs', { params }))) as {
      files?: unknown;
    };
    ctx.print(`${goJsonIndent(answer.files ?? [])}\n`);
    return;
  }
  const path = routePath(MANAGER_ROUTES.workerLog, params, {
    tail: lines,
    file,
    follow: ctx.bool('follow') ? '1' : undefined,
  });
  // A chunk may end inside a UTF-8 character: the decoder keeps its start for the next one.
  const text = new StringDecoder('utf8');
  await doing(
    `cannot show the log of ${mirror} on worker ${worker}`,
    streamText(client.endpoint, path, ctx.logger, (chunk) => ctx.print(text.write(chunk))),
  );
  const rest = text.end();
  if (rest !== '') ctx.print(rest);
}
