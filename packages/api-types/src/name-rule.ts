/**
 * The one rule for mirror and worker names (SPEC §5): safe as a path component and as a
 * store key. Used by config loading, every HTTP route and the store.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/;

export function isValidName(name: unknown): name is string {
  return typeof name === 'string' && NAME_PATTERN.test(name);
}

/** Why `name` breaks the rule, or `undefined` when it is valid. */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name === '') return 'must not be empty';
  if (name.length > 64) return 'must be at most 64 characters';
  if (!NAME_PATTERN.test(name)) {
    return 'must start with a letter or digit and contain only letters, digits, ".", "_", "+" and "-"';
  }
  return undefined;
}
