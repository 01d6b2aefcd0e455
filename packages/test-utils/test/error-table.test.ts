import { checkErrorCatalog, errorTableRows } from '../src';
import type { CatalogEntryLike } from '../src';

/** A catalog entry as `defineErrors` of api-types builds it (without the dependency). */
function entry<A extends unknown[]>(
  code: string,
  message: (...args: A) => string,
  status?: number,
): CatalogEntryLike {
  const build = (...args: A) =>
    Object.assign(new Error(message(...args)), {
      code,
      ...(status === undefined ? {} : { status }),
    });
  return Object.assign(build, { code, message, ...(status === undefined ? {} : { status }) });
}

const catalog = {
  notFound: entry(
    'TUNASYNC_E_X_NOT_FOUND',
    (mirror: string, worker: string) => `no mirror '${mirror}' exists in worker '${worker}'`,
    404,
  ),
  list: entry(
    'TUNASYNC_E_X_LIST',
    (problems: readonly string[]) => `bad: ${problems.join('; ')}`,
    400,
  ),
  quoted: entry(
    'TUNASYNC_E_X_QUOTED',
    (name: string, reason?: string) => `Mirror \`\`${name}'' is a|b${reason ? `: ${reason}` : ''}`,
  ),
};

const readme = `
## Errors

| code | status | message | when |
|---|---|---|---|
| \`TUNASYNC_E_X_NOT_FOUND\` | 404 | \`no mirror '{mirror}' exists in worker '{worker}'\` | a mirror the worker lacks |
| \`TUNASYNC_E_X_LIST\` | 400 | \`bad: {problems}\` | a list of problems |
| \`TUNASYNC_E_X_QUOTED\` | — | \`\` Mirror \`\`{name}'' is a\\|b: {reason} \`\` | backticks and a pipe |
`;

describe('checkErrorCatalog', () => {
  it('finds nothing when the README table shows every entry as the catalog has it', () => {
    expect(checkErrorCatalog(catalog, readme)).toEqual([]);
  });

  it('prints the rows to paste: code, status, message with {parameters}', () => {
    expect(errorTableRows(catalog).map((r) => r.trim())).toEqual([
      "| `TUNASYNC_E_X_NOT_FOUND` | 404 | `no mirror '{mirror}' exists in worker '{worker}'` |",
      '| `TUNASYNC_E_X_LIST` | 400 | `bad: {problems}` |',
      "| `TUNASYNC_E_X_QUOTED` | — | `` Mirror ``{name}'' is a\\|b: {reason} `` |",
    ]);
  });

  it('reports a message, a status or a code that differs, in both directions', () => {
    const changed = readme
      .replace("exists in worker '{worker}'", "exists on worker '{worker}'")
      .replace('| 400 |', '| 422 |');
    expect(checkErrorCatalog(catalog, changed)).toEqual([
      "not in the README's error table: | `TUNASYNC_E_X_NOT_FOUND` | 404 | `no mirror '{mirror}' exists in worker '{worker}'` |",
      "not in the README's error table: | `TUNASYNC_E_X_LIST` | 400 | `bad: {problems}` |",
      "in the README's error table, not in the catalog: | `TUNASYNC_E_X_NOT_FOUND` | 404 | `no mirror '{mirror}' exists on worker '{worker}'` |",
      "in the README's error table, not in the catalog: | `TUNASYNC_E_X_LIST` | 422 | `bad: {problems}` |",
    ]);
  });

  it('reports a row the README has that no entry has, and an entry the README lacks', () => {
    const extra = `${readme}| \`TUNASYNC_E_X_GONE\` | 500 | \`gone\` | removed |\n`;
    expect(checkErrorCatalog(catalog, extra)).toEqual([
      "in the README's error table, not in the catalog: | `TUNASYNC_E_X_GONE` | 500 | `gone` |",
    ]);
    const lacking = readme.replace(/^\| `TUNASYNC_E_X_LIST`.*\n/m, '');
    expect(checkErrorCatalog(catalog, lacking)).toEqual([
      "not in the README's error table: | `TUNASYNC_E_X_LIST` | 400 | `bad: {problems}` |",
    ]);
  });

  it('reports a code outside TUNASYNC_E_… and an entry that does not build its own error', () => {
    const message = (id: string) => `invalid workerID ${id}`;
    const wrong = Object.assign(
      (id: string) => Object.assign(new Error(message(id)), { code: 'TUNASYNC_E_OTHER' }),
      { code: 'E_BAD', message },
    );
    const problems = checkErrorCatalog({ wrong }, '| `E_BAD` | `invalid workerID {id}` |\n');
    expect(problems).toEqual([
      'wrong: code E_BAD',
      'wrong: calling the entry does not build its error',
      "not in the README's error table: | `E_BAD` | `invalid workerID {id}` |",
    ]);
  });
});
