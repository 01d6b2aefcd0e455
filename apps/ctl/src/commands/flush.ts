import type { CommandContext } from '../command-context';
import { doing } from '../command-context';

/** `flush`: `DELETE /jobs/disabled`. */
export async function execute(ctx: CommandContext): Promise<void> {
  if (ctx.positionals.length > 0) throw ctx.usageError('takes no arguments');
  const client = await ctx.connect();
  await doing('cannot flush the disabled jobs', client.call('flushDisabled'));
  ctx.print('Successfully flushed disabled jobs\n');
}
