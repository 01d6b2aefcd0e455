import type { ClientCmd, CmdVerb } from '@tunasync/api-types';
import { isCmdVerb } from '@tunasync/api-types';
import type { CommandContext } from '../command-context';
import { doing } from '../command-context';
import { CtlError } from '../errors';

function namesWorker(text: string, worker: string): boolean {
  const escaped = worker.replace(/[.+]/g, '\\$&');
  return new RegExp(`\\bworker ${escaped}(?![A-Za-z0-9._+-])`).test(text);
}

/**
 * `start|stop|disable|restart|ping -w ID MIRROR [ARG,ARG…]` and `reload -w ID`: one
 * ClientCmd to `POST /cmd`, which the manager forwards to the worker.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const verb = ctx.spec.name;
  if (!isCmdVerb(verb)) throw ctx.usageError(`no command verb ${verb}`);
  const cmd: ClientCmd = {
    cmd: verb as CmdVerb,
    mirror_id: '',
    worker_id: '',
    args: [],
    options: {},
  };
  if (verb === 'reload') {
    if (ctx.positionals.length > 0) throw ctx.usageError('takes no arguments besides -w WORKER');
    cmd.worker_id = ctx.requireWorker();
  } else {
    const count = ctx.positionals.length;
    if (count < 1 || count > 2) {
      throw ctx.usageError('needs the MIRROR and at most one comma-separated list of ARGs');
    }
    cmd.worker_id = ctx.requireWorker();
    cmd.mirror_id = ctx.checkName('mirror', ctx.positionals[0] as string);
    const extra = ctx.positionals[1];
    if (extra !== undefined) cmd.args = extra.split(',').map((arg) => arg.trim());
    if (ctx.bool('force')) cmd.options.force = true;
  }
  const client = await ctx.connect();
  const target =
    cmd.mirror_id === ''
      ? `worker ${cmd.worker_id}`
      : `${cmd.mirror_id} on worker ${cmd.worker_id}`;
  try {
    await doing(`cannot send ${verb} to ${target}`, client.call('sendCommand', { body: cmd }));
  } catch (err) {
    // The manager's answer about the worker (`worker w1 refused "start debian": no such
    // mirror`) already says which worker and command: printed alone, one line.
    const said = err instanceof CtlError ? err.managerSaid : undefined;
    if (err instanceof CtlError && said !== undefined && namesWorker(said, cmd.worker_id)) {
      throw new CtlError(err.code, said, { cause: err });
    }
    throw err;
  }
  ctx.print('Successfully send the command\n');
}
