import type { CommandSpec, OptionSpecs } from './command-table';
import { COMMANDS, COMMON_OPTIONS } from './command-table';

/*
 * Shell completion scripts. Commands and flags come from the command table, so they never
 * drift from what the program accepts; worker and mirror names come from the manager, by
 * running the same `tunasynctl` (as typed on the command line) with the hidden command
 * `__complete workers|mirrors` and the connection flags typed so far.
 */

const CONNECTION_FLAGS = '-c|--config|-m|--manager|-p|--port|--ca-cert|--token';
const STATUS_WORDS = 'none failed success syncing pre-syncing paused disabled';

function visibleCommands(): CommandSpec[] {
  return COMMANDS.filter((command) => command.hidden !== true);
}

function flagWords(options: OptionSpecs): string[] {
  const words: string[] = [];
  for (const [name, spec] of Object.entries(options)) {
    words.push(`--${name}`);
    if (spec.short !== undefined) words.push(`-${spec.short}`);
  }
  return words;
}

function commandFlags(spec: CommandSpec): string[] {
  return flagWords({ ...(spec.usesManager ? COMMON_OPTIONS : {}), ...spec.options });
}

/** What the positional arguments of a command are, for completion. */
function positionalKind(spec: CommandSpec): 'workers' | 'mirrors' | 'shells' | 'none' {
  if (spec.name === 'list') return 'workers';
  if (spec.name === 'completion') return 'shells';
  if (['set-size', 'start', 'stop', 'disable', 'restart', 'ping'].includes(spec.name)) {
    return 'mirrors';
  }
  return 'none';
}

/** Flags whose value is free text (nothing to complete) for this command. */
function valueFlags(spec: CommandSpec): string[] {
  const words = ['-m', '--manager', '-p', '--port', '--token'];
  if ('format' in spec.options) words.push('-f', '--format');
  return words;
}

export function bashCompletionScript(): string {
  const commands = [...visibleCommands().map((c) => c.name), 'help'].join(' ');
  const cases = visibleCommands().map((spec) => {
    const positional = positionalKind(spec);
    const action =
      positional === 'workers'
        ? 'words="$(_tunasynctl_names workers)"'
        : positional === 'mirrors'
          ? 'words="$(_tunasynctl_names mirrors)"'
          : positional === 'shells'
            ? 'words="bash zsh"'
            : 'words=""';
    return [
      `    ${spec.name})`,
      `      case "$prev" in ${valueFlags(spec).join('|')}) return 0 ;; esac`,
      `      flags="${commandFlags(spec).join(' ')}"`,
      `      ${action}`,
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for tunasynctl (from \`tunasynctl completion bash\`)
# Install: source <(tunasynctl completion bash), or save it as
# /etc/bash_completion.d/tunasynctl.

_tunasynctl_names() {
  # Worker or mirror names from the manager, through tunasynctl itself.
  local -a args=(__complete "$1" "\${_tunasynctl_conn[@]}")
  if [[ "$1" == mirrors && -n "$_tunasynctl_worker" ]]; then
    args+=(-w "$_tunasynctl_worker")
  fi
  "\${COMP_WORDS[0]}" "\${args[@]}" 2>/dev/null
}

_tunasynctl() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${commands} --help --version" -- "$cur"))
    return 0
  fi
  local cmd="\${COMP_WORDS[1]}" i flags="" words=""
  _tunasynctl_conn=()
  _tunasynctl_worker=""
  for ((i = 2; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${CONNECTION_FLAGS}) _tunasynctl_conn+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}") ;;
      -w|--worker) _tunasynctl_worker="\${COMP_WORDS[i+1]}" ;;
    esac
  done
  case "$prev" in
    -c|--config|--ca-cert)
      COMPREPLY=($(compgen -f -- "$cur"))
      return 0
      ;;
    -w|--worker)
      COMPREPLY=($(compgen -W "$(_tunasynctl_names workers)" -- "$cur"))
      return 0
      ;;
  esac
  case "$cmd" in
${cases.join('\n')}
    help)
      words="${visibleCommands()
        .map((c) => c.name)
        .join(' ')}"
      ;;
    *) return 0 ;;
  esac
  if [[ "$cmd" == list && ( "$prev" == -s || "$prev" == --status ) ]]; then
    COMPREPLY=($(compgen -W "${STATUS_WORDS}" -- "$cur"))
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
  return 0
}

complete -F _tunasynctl tunasynctl
`;
}

export function zshCompletionScript(): string {
  const described = visibleCommands()
    .map((c) => `    '${c.name}:${c.summary.replace(/'/g, "'\\''")}'`)
    .join('\n');
  const cases = visibleCommands().map((spec) => {
    const positional = positionalKind(spec);
    const action =
      positional === 'workers'
        ? '_tunasynctl_names workers'
        : positional === 'mirrors'
          ? '_tunasynctl_names mirrors'
          : positional === 'shells'
            ? 'compadd bash zsh'
            : ':';
    return [
      `    ${spec.name})`,
      `      case $prev in ${valueFlags(spec).join('|')}) return 0 ;; esac`,
      `      if [[ $cur == -* ]]; then compadd -- ${commandFlags(spec).join(' ')}; else ${action}; fi`,
      '      ;;',
    ].join('\n');
  });
  return `#compdef tunasynctl
# zsh completion for tunasynctl (from \`tunasynctl completion zsh\`)
# Install: tunasynctl completion zsh > "\${fpath[1]}/_tunasynctl", or in ~/.zshrc:
#   source <(tunasynctl completion zsh)

_tunasynctl_names() {
  # Worker or mirror names from the manager, through tunasynctl itself.
  local -a args names
  args=(__complete $1 $_tunasynctl_conn)
  if [[ $1 == mirrors && -n $_tunasynctl_worker ]]; then
    args+=(-w $_tunasynctl_worker)
  fi
  names=(\${(f)"$(\${words[1]} $args 2>/dev/null)"})
  compadd -- $names
}

_tunasynctl() {
  local -a commands
  commands=(
${described}
    'help:Show the help of a command'
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'tunasynctl command' commands
    return
  fi
  local cmd=$words[2] prev=$words[CURRENT-1] cur=$words[CURRENT] i
  typeset -ga _tunasynctl_conn
  typeset -g _tunasynctl_worker=
  _tunasynctl_conn=()
  for (( i = 3; i < CURRENT; i++ )); do
    case $words[i] in
      ${CONNECTION_FLAGS}) _tunasynctl_conn+=($words[i] $words[i+1]) ;;
      -w|--worker) _tunasynctl_worker=$words[i+1] ;;
    esac
  done
  case $prev in
    -c|--config|--ca-cert) _files; return ;;
    -w|--worker) _tunasynctl_names workers; return ;;
  esac
  if [[ $cmd == list && ( $prev == -s || $prev == --status ) ]]; then
    compadd -- ${STATUS_WORDS}
    return
  fi
  case $cmd in
${cases.join('\n')}
    help) compadd -- ${visibleCommands()
      .map((c) => c.name)
      .join(' ')} ;;
  esac
}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _tunasynctl "$@"
else
  compdef _tunasynctl tunasynctl
fi
`;
}
