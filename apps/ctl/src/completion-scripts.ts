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

/** Every flag (of any command) that takes a value, except the connection flags and -w. */
function otherValueFlags(): string {
  const words = new Set<string>();
  for (const spec of COMMANDS) {
    for (const [name, option] of Object.entries(spec.options)) {
      if (option.type !== 'string' || name === 'worker') continue;
      words.add(`--${name}`);
      if (option.short !== undefined) words.add(`-${option.short}`);
    }
  }
  return [...words].join('|');
}

/**
 * What the positional arguments of a command are, for completion. `worker-mirror`: the
 * mirror of the `-w` worker, or without `-w` a worker first and then one of its mirrors.
 */
function positionalKind(
  spec: CommandSpec,
): 'workers' | 'mirrors' | 'worker-mirror' | 'shells' | 'none' {
  if (spec.name === 'list') return 'workers';
  if (spec.name === 'history') return 'worker-mirror';
  if (spec.name === 'completion') return 'shells';
  if (['set-size', 'start', 'stop', 'disable', 'restart', 'ping', 'logs'].includes(spec.name)) {
    return 'mirrors';
  }
  return 'none';
}

/** Flags whose value is free text (nothing to complete) for this command. */
function valueFlags(spec: CommandSpec): string[] {
  const words = ['-m', '--manager', '-p', '--port', '--token'];
  for (const [name, option] of Object.entries(spec.options)) {
    // -w completes workers and -s statuses, elsewhere in the scripts.
    if (option.type !== 'string' || name === 'worker' || name === 'status') continue;
    if (option.short !== undefined) words.push(`-${option.short}`);
    words.push(`--${name}`);
  }
  return words;
}

export function bashCompletionScript(): string {
  const commands = [...visibleCommands().map((c) => c.name), 'help'].join(' ');
  const bashActions = {
    workers: 'words="$(_tunasynctl_names workers)"',
    mirrors: 'words="$(_tunasynctl_names mirrors)"',
    'worker-mirror': 'words="$(_tunasynctl_worker_then_mirror)"',
    shells: 'words="bash zsh"',
    none: 'words=""',
  };
  const cases = visibleCommands().map((spec) => {
    const action = bashActions[positionalKind(spec)];
    return [
      `    ${spec.name})`,
      `      case "$prev" in ${valueFlags(spec).join('|')}) return 0 ;; esac`,
      `      flags="${commandFlags(spec).join(' ')}"`,
      `      ${action}`,
      '      ;;',
    ].join('\n');
  });
  return `# bash completion for tunasynctl and tunasyncctl (from \`tunasynctl completion bash\`)
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

_tunasynctl_worker_then_mirror() {
  # history: the mirrors of -w WORKER; else a worker first, then the mirrors of that worker.
  if [[ -n "$_tunasynctl_worker" ]]; then
    (( \${#_tunasynctl_args[@]} == 0 )) && _tunasynctl_names mirrors
  elif (( \${#_tunasynctl_args[@]} == 0 )); then
    _tunasynctl_names workers
  elif (( \${#_tunasynctl_args[@]} == 1 )); then
    _tunasynctl_worker="\${_tunasynctl_args[0]}"
    _tunasynctl_names mirrors
  fi
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
  _tunasynctl_args=()
  for ((i = 2; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      ${CONNECTION_FLAGS}) _tunasynctl_conn+=("\${COMP_WORDS[i]}" "\${COMP_WORDS[i+1]}"); ((i++)) ;;
      -w|--worker) _tunasynctl_worker="\${COMP_WORDS[i+1]}"; ((i++)) ;;
      ${otherValueFlags()}) ((i++)) ;;
      -*) ;;
      *) _tunasynctl_args+=("\${COMP_WORDS[i]}") ;;
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

complete -F _tunasynctl tunasynctl tunasyncctl
`;
}

export function zshCompletionScript(): string {
  const described = visibleCommands()
    .map((c) => `    '${c.name}:${c.summary.replace(/'/g, "'\\''")}'`)
    .join('\n');
  const zshActions = {
    workers: '_tunasynctl_names workers',
    mirrors: '_tunasynctl_names mirrors',
    'worker-mirror': '_tunasynctl_worker_then_mirror',
    shells: 'compadd bash zsh',
    none: ':',
  };
  const cases = visibleCommands().map((spec) => {
    const action = zshActions[positionalKind(spec)];
    return [
      `    ${spec.name})`,
      `      case $prev in ${valueFlags(spec).join('|')}) return 0 ;; esac`,
      `      if [[ $cur == -* ]]; then compadd -- ${commandFlags(spec).join(' ')}; else ${action}; fi`,
      '      ;;',
    ].join('\n');
  });
  return `#compdef tunasynctl tunasyncctl
# zsh completion for tunasynctl and tunasyncctl (from \`tunasynctl completion zsh\`)
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

_tunasynctl_worker_then_mirror() {
  # history: the mirrors of -w WORKER; else a worker first, then the mirrors of that worker.
  if [[ -n $_tunasynctl_worker ]]; then
    (( \${#_tunasynctl_args} == 0 )) && _tunasynctl_names mirrors
  elif (( \${#_tunasynctl_args} == 0 )); then
    _tunasynctl_names workers
  elif (( \${#_tunasynctl_args} == 1 )); then
    _tunasynctl_worker=$_tunasynctl_args[1]
    _tunasynctl_names mirrors
  fi
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
  typeset -ga _tunasynctl_conn _tunasynctl_args
  typeset -g _tunasynctl_worker=
  _tunasynctl_conn=()
  _tunasynctl_args=()
  for (( i = 3; i < CURRENT; i++ )); do
    case $words[i] in
      ${CONNECTION_FLAGS}) _tunasynctl_conn+=($words[i] $words[i+1]); (( i++ )) ;;
      -w|--worker) _tunasynctl_worker=$words[i+1]; (( i++ )) ;;
      ${otherValueFlags()}) (( i++ )) ;;
      -*) ;;
      *) _tunasynctl_args+=($words[i]) ;;
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
  compdef _tunasynctl tunasynctl tunasyncctl
fi
`;
}
