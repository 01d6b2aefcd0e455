/** A leaf of the `[[mirrors]]` tree with everything it inherits. */
export interface MirrorLeaf {
  /** The merged keys (own keys win over inherited ones). */
  values: Record<string, unknown>;
  /** Where the leaf is written: `mirrors[3].mirrors[0]`. */
  path: string;
  /** For each key, the table path that set the value the leaf ends up with. */
  keyOrigins: Record<string, string>;
}

/** Keys that replace each other: setting one in a table drops the other inherited from above. */
const EXCLUSIVE: Record<string, string> = { cron: 'interval', interval: 'cron' };

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Flattens nested `[[mirrors.mirrors]]`: a table with a `mirrors` list is a template, each
 * child inherits every key of its ancestors and overrides what it sets (`env` tables merge
 * key by key, the child winning); only leaves are returned, in file order. Values that are
 * not tables are skipped (the schema reports them).
 */
export function flattenMirrors(list: unknown, basePath = 'mirrors'): MirrorLeaf[] {
  const leaves: MirrorLeaf[] = [];
  if (!Array.isArray(list)) return leaves;
  list.forEach((item, index) => walk(item, `${basePath}[${index}]`, {}, {}, leaves));
  return leaves;
}

function walk(
  node: unknown,
  path: string,
  inherited: Record<string, unknown>,
  inheritedOrigins: Record<string, string>,
  leaves: MirrorLeaf[],
): void {
  if (!isTable(node)) return;
  const values: Record<string, unknown> = { ...inherited };
  const keyOrigins: Record<string, string> = { ...inheritedOrigins };
  for (const [key, value] of Object.entries(node)) {
    if (key === 'mirrors') continue;
    const other = EXCLUSIVE[key];
    if (other !== undefined && !(other in node)) {
      delete values[other];
      delete keyOrigins[other];
    }
    if (key === 'env' && isTable(value) && isTable(values.env)) {
      values.env = { ...values.env, ...value };
    } else {
      values[key] = value;
    }
    keyOrigins[key] = path;
  }
  const children = node.mirrors;
  if (Array.isArray(children)) {
    children.forEach((child, index) =>
      walk(child, `${path}.mirrors[${index}]`, values, keyOrigins, leaves),
    );
    return;
  }
  leaves.push({ values, path, keyOrigins });
}
