import { createHash, randomBytes } from 'node:crypto';
import type { CommandContext } from '../command-context';

/**
 * `token create (-w WORKER | --admin NAME)`: a new random token and its line for the
 * manager's tokens file, on stdout; where each goes, on stderr. Calls nobody, writes nothing.
 */
export async function execute(ctx: CommandContext): Promise<void> {
  const [verb, ...extra] = ctx.positionals;
  if (verb !== 'create' || extra.length > 0) throw ctx.usageError('the only verb is create');
  const worker = ctx.string('worker');
  const admin = ctx.string('admin');
  if ((worker === undefined) === (admin === undefined)) {
    throw ctx.usageError('give -w WORKER (a worker token) or --admin NAME (an admin token)');
  }
  const name =
    worker !== undefined ? ctx.checkName('worker', worker) : ctx.checkName('admin', admin ?? '');
  // Never a leading `-`: `--token -x…` would read as another option.
  let token: string;
  do token = randomBytes(32).toString('base64url');
  while (token.startsWith('-'));
  const hash = createHash('sha256').update(token, 'utf8').digest('hex');
  ctx.print(`${token}\n${name} sha256:${hash}\n`);
  ctx.io.stderr.write(
    worker !== undefined
      ? `Add the second line to the manager's worker_tokens_file and send the manager SIGHUP;\n` +
          `put the first line in worker ${name}'s worker.conf as [manager] token and restart it.\n`
      : `Add the second line to the manager's admin_tokens_file and send the manager SIGHUP;\n` +
          `put the first line in ${name}'s ctl.conf as token (or pass it with --token).\n`,
  );
}
