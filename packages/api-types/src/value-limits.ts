/**
 * Deepest nesting of arrays and objects a validated value may have. Every wire body and
 * config file of tunasync is a handful of levels deep; the limit is there so that a hostile
 * body nested thousands of levels deep is refused before anything recursive (a clone, a
 * schema check, `JSON.stringify`) can overflow the stack.
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Most values (arrays, objects and scalars, counted alike) a wire body may hold: schedules
 * of 3,000 mirrors fit. The schema check lists every problem, so a 1 MiB body of 500,000
 * wrong array items would cost seconds and hundreds of MB for its problem list alone.
 * Config files are not counted (they are the operator's own).
 */
export const MAX_WIRE_VALUES = 10_000;

/** A limit a value passes: too deep (under which top-level key or index), or too many values. */
export type ValueLimitProblem = { kind: 'too-deep'; at: string } | { kind: 'too-many' };

/**
 * Whether `value` nests arrays and objects deeper than `maxDepth` levels (a scalar is level
 * 0, `{}` and `[]` level 1) or holds more than `maxValues` values. Walks with an explicit
 * stack, never recursion, and stops at the first limit passed, so neither depth, size nor a
 * cycle can exhaust the call stack or take long. `at` names the first two levels of keys or
 * indexes the too-deep part is under (`global.x`, `mirrors[3]`), `''` for the value itself.
 */
export function valueLimitProblem(
  value: unknown,
  maxDepth: number,
  maxValues = Infinity,
): ValueLimitProblem | undefined {
  const stack: Array<{ value: unknown; depth: number; at: string }> = [{ value, depth: 0, at: '' }];
  let values = 1;
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== 'object' || item.value === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) return { kind: 'too-deep', at: item.at.replace(/^\./, '') };
    const list = Array.isArray(item.value) ? (item.value as unknown[]) : undefined;
    // Counted before they are stacked: a huge array is refused without walking it.
    values += list?.length ?? Object.keys(item.value).length;
    if (values > maxValues) return { kind: 'too-many' };
    const entries: Array<[string, unknown]> = list
      ? list.map((child, i) => [`[${i}]`, child])
      : Object.entries(item.value as Record<string, unknown>).map(([k, v]) => [`.${k}`, v]);
    for (const [key, child] of entries) {
      if (typeof child === 'object' && child !== null) {
        const at = depth <= AT_LEVELS ? `${item.at}${key}` : item.at;
        stack.push({ value: child, depth, at });
      }
    }
  }
  return undefined;
}

/** How many levels of keys `at` names (`global.x`, `mirrors[3]`): enough to find the place. */
const AT_LEVELS = 2;
