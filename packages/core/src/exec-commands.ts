/**
 * The list of exec-on-success (or exec-on-failure) commands of one mirror (SPEC §4.5):
 * the mirror's own list, when it has one, replaces the global list; the mirror's
 * `_extra` list is appended to whichever applies.
 *
 * A mirror list that is present but empty (`exec_on_success = []`) replaces the global
 * list too: it is how a mirror opts out of the global commands. (The Go program treats an
 * empty list as absent.) `undefined` means "not set".
 */
export function mergeExecCommands(
  global: readonly string[] | undefined,
  mirror: readonly string[] | undefined,
  extra: readonly string[] | undefined,
): string[] {
  const base = mirror ?? global ?? [];
  return [...base, ...(extra ?? [])];
}
