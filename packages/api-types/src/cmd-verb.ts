/** Every command verb a client may send (SPEC §2.5). */
export const CMD_VERBS = ['start', 'stop', 'disable', 'restart', 'ping', 'reload'] as const;

export type CmdVerb = (typeof CMD_VERBS)[number];

export function isCmdVerb(value: unknown): value is CmdVerb {
  return typeof value === 'string' && (CMD_VERBS as readonly string[]).includes(value);
}
