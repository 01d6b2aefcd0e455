/** What the table check reads of a catalog entry (`ErrorSpec` of `@tunasync/api-types`). */
export interface CatalogEntryLike {
  readonly code: string;
  readonly status?: number;
  readonly exitCode?: number;
  readonly message: (...args: never) => string;
}

/** Number columns a catalog may have, in the order they stand in the README table. */
const NUMBER_COLUMNS = ['status', 'exitCode'] as const;

/** The names of a message template's parameters, read from its source. */
function templateParameters(template: (...args: never) => string): string[] {
  const source = template.toString();
  const arrow = source.indexOf('=>');
  const open = source.indexOf('(');
  if (arrow < 0 || open < 0 || open > arrow) {
    throw new Error(`a message template must be an arrow function with parentheses: ${source}`);
  }
  const list = source.slice(open + 1, source.lastIndexOf(')', arrow));
  return list
    .split(',')
    .map((p) => (p.split('=')[0] ?? '').replace('...', '').trim())
    .filter((p) => p !== '');
}

/**
 * A stand-in for the argument `name`: prints as `{name}` in a template literal, `String()`
 * and `JSON.stringify`, and answers the array methods templates use (`join`, `filter`, `map`).
 */
function placeholder(name: string): unknown {
  const text = `{${name}}`;
  return Object.assign(new String(text), {
    join: () => text,
    map: () => [text],
    filter: () => [],
  });
}

/** A message template with each parameter shown as `{name}`. */
function renderTemplate(template: (...args: never) => string): string {
  const args = templateParameters(template).map(placeholder);
  return String((template as (...a: unknown[]) => string)(...args));
}

function cell(text: string): string {
  const escaped = text.replace(/\n/g, '\\n').replace(/\|/g, '\\|');
  return escaped.includes('`') ? `\`\` ${escaped} \`\`` : `\`${escaped}\``;
}

/**
 * The rows of a catalog's README error table: `` | `CODE` | `` then the status and exit code
 * columns the catalog has (`—` for an entry without one), then the message template in
 * backticks. A README row may have more cells after these (what the error means).
 */
export function errorTableRows(catalog: Readonly<Record<string, CatalogEntryLike>>): string[] {
  const entries = Object.values(catalog);
  const columns = NUMBER_COLUMNS.filter((c) => entries.some((e) => e[c] !== undefined));
  return entries.map((entry) => {
    const numbers = columns.map((c) => String(entry[c] ?? '—'));
    return ['', `\`${entry.code}\``, ...numbers, cell(renderTemplate(entry.message)), ''].join(
      ' | ',
    );
  });
}

/**
 * Compares a catalog with the error table of a README (fastify's errors test): `missing` are
 * rows of the catalog the README lacks or shows differently, `extra` rows of the README that
 * no catalog entry has. Both are empty when catalog and README agree.
 */
function compareErrorTable(
  catalog: Readonly<Record<string, CatalogEntryLike>>,
  readme: string,
): { missing: string[]; extra: string[] } {
  const rows = errorTableRows(catalog).map((r) => r.trim());
  const cells = (rows[0] ?? '').split(' | ').length;
  const documented = readme
    .split('\n')
    .filter((line) => line.startsWith('| `TUNASYNC_E_'))
    .map((line) => {
      const parts = line.split(/(?<!\\) \| /);
      return parts.length > cells ? `${parts.slice(0, cells).join(' | ')} |` : line.trim();
    });
  return {
    missing: rows.filter((r) => !documented.includes(r)),
    extra: documented.filter((r) => !rows.includes(r)),
  };
}

/**
 * Every disagreement between a package's error catalog and its README, in words (none:
 * `[]`): a code that is not `TUNASYNC_E_…`, an entry that does not build its own coded error,
 * a catalog row the README's error table lacks or shows differently, a README row no entry has.
 */
export function checkErrorCatalog(
  catalog: Readonly<Record<string, CatalogEntryLike>>,
  readme: string,
): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(catalog)) {
    if (!/^TUNASYNC_E_[A-Z0-9_]+$/.test(entry.code)) problems.push(`${name}: code ${entry.code}`);
    const build = entry as unknown as (...args: unknown[]) => unknown;
    const args = templateParameters(entry.message).map(placeholder);
    const made =
      typeof build === 'function'
        ? (build(...args) as { code?: unknown; status?: unknown; message?: unknown })
        : undefined;
    if (
      made?.code !== entry.code ||
      made.message !== renderTemplate(entry.message) ||
      (entry.status !== undefined && made.status !== entry.status)
    ) {
      problems.push(`${name}: calling the entry does not build its error`);
    }
  }
  const { missing, extra } = compareErrorTable(catalog, readme);
  for (const row of missing) problems.push(`not in the README's error table: ${row}`);
  for (const row of extra) problems.push(`in the README's error table, not in the catalog: ${row}`);
  return problems;
}
