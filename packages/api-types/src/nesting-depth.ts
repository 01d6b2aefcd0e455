/**
 * Deepest nesting of arrays and objects a validated value may have. Every wire body and
 * config file of tunasync is a handful of levels deep; the limit is there so that a hostile
 * body nested thousands of levels deep is refused before anything recursive (a clone, a
 * schema check, `JSON.stringify`) can overflow the stack.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Whether `value` nests arrays and objects deeper than `limit` levels (a scalar is level 0,
 * `{}` and `[]` level 1). Walks with an explicit stack, never recursion, and stops at the
 * first branch past the limit, so neither depth nor a cycle can exhaust the call stack.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > limit) return true;
    const children = Array.isArray(item.value)
      ? (item.value as unknown[])
      : Object.values(item.value as Record<string, unknown>);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}
