import type { CommandContext } from '../command-context';
import { bashCompletionScript, zshCompletionScript } from '../completion-scripts';

/** `completion bash|zsh`: print the completion script for that shell. */
export async function execute(ctx: CommandContext): Promise<void> {
  const [shell, ...extra] = ctx.positionals;
  if (shell === undefined || extra.length > 0)
    throw ctx.usageError('needs exactly one shell: bash or zsh');
  if (shell === 'bash') ctx.print(bashCompletionScript());
  else if (shell === 'zsh') ctx.print(zshCompletionScript());
  else throw ctx.usageError(`unsupported shell ${JSON.stringify(shell)} (bash or zsh)`);
}
