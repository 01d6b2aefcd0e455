import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { goJsonIndent } from '../go-json';
import { asObjectList, loadObjectTemplate } from '../object-list';

/** `workers`: `GET /workers`, printed as Go's indented JSON or through `--format`. */
export async function execute(ctx: CommandContext): Promise<void> {
  if (ctx.positionals.length > 0) throw ctx.usageError('takes no arguments');
  const format = ctx.string('format');
  const template = format ? loadObjectTemplate().compileFormat(format, ctx.spec.usage) : undefined;
  const client = await ctx.connect();
  const what = 'cannot list the workers';
  const items = asObjectList(await doing(what, client.call('listWorkers')), what);
  ctx.print(
    template === undefined
      ? `${goJsonIndent(items)}\n`
      : loadObjectTemplate().renderObjects(template, 'workerStatus', items, ctx.spec.usage),
  );
}
