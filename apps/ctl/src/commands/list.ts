import type { SyncStatus } from '@tunasync/api-types';
import { isSyncStatus, SYNC_STATUSES } from '@tunasync/api-types';
import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { goJsonIndent } from '../go-json';
import { asObjectList, loadObjectTemplate } from '../object-list';

function parseStatuses(ctx: CommandContext, text: string | undefined): Set<SyncStatus> | undefined {
  if (text === undefined || text === '') return undefined;
  const statuses = new Set<SyncStatus>();
  for (const part of text.split(',')) {
    const status = part.trim();
    if (!isSyncStatus(status)) {
      throw ctx.usageError(
        `unknown status ${JSON.stringify(status)} in --status (statuses: ${SYNC_STATUSES.join(', ')})`,
      );
    }
    statuses.add(status);
  }
  return statuses;
}

/**
 * `list`: the jobs of all workers (`GET /jobs`, WebMirrorStatus) or of the named workers
 * (`GET /workers/:id/jobs` each, MirrorStatus, in the order given), optionally filtered by
 * status or to the stale ones (`--stale`), printed as Go's indented JSON or through `--format`.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const all = ctx.bool('all');
  const workers = ctx.positionals.map((worker) => ctx.checkName('worker', worker));
  if (!all && workers.length === 0) {
    throw ctx.usageError('give at least one WORKER or --all');
  }
  if (all && workers.length > 0) {
    ctx.logger.warn(`--all lists every worker's jobs; ignoring ${workers.join(' ')}`);
  }
  const statuses = parseStatuses(ctx, ctx.string('status'));
  const stale = ctx.bool('stale');
  const format = ctx.string('format');
  const template = format ? loadObjectTemplate().compileFormat(format, ctx.spec.usage) : undefined;

  const client = await ctx.connect();
  let items: Record<string, unknown>[];
  if (all) {
    const what = 'cannot list the jobs of all workers';
    // Only /jobs?with_worker=1 carries `stale` (§7.13); plain /jobs stays Go's.
    items = asObjectList(
      await doing(
        what,
        client.call('listJobs', stale ? { query: { with_worker: '1' } } : undefined),
      ),
      what,
    );
  } else {
    const answers = await Promise.allSettled(
      workers.map(async (worker) => {
        const what = `cannot list the jobs of worker ${worker}`;
        const jobs = client.call('listWorkerJobs', { params: { id: worker } });
        return asObjectList(await doing(what, jobs), what);
      }),
    );
    items = [];
    for (const answer of answers) {
      if (answer.status === 'rejected') throw answer.reason;
      items.push(...answer.value);
    }
  }
  if (statuses !== undefined) {
    items = items.filter((item) => statuses.has(item.status as SyncStatus));
  }
  if (stale) items = items.filter((item) => item.stale === true);
  ctx.print(
    template === undefined
      ? `${goJsonIndent(items)}\n`
      : loadObjectTemplate().renderObjects(
          template,
          all ? 'webMirrorStatus' : 'mirrorStatus',
          items,
          ctx.spec.usage,
        ),
  );
}
