#!/usr/bin/env node
// @ts-check
// The public surface of every published package, as a report file per package in api/:
// the run-time exports of its built entry (`main` of package.json, dist/index.js) and the
// exported names of its declarations (`types`, dist/index.d.ts). A change of public surface
// is then a visible diff of api/*.api.md. Part of `npm test` (tools/e2e/test/api-surface.test.ts).
//
//   npm run api:update               writes the reports from the built packages
//   node tools/api-surface.js        checks them; exit 1 (with the difference) when one is stale
'use strict';

const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { parseArgs } = require('node:util');
const ts = require('typescript');

const ROOT = resolve(__dirname, '..');

/**
 * Every package published to the registry: the release group of nx.json, found among
 * packages/* and apps/* (a package added to the group is checked without a change here).
 * @returns {string[]} folders relative to the repository
 */
function publicPackages() {
  const nx = JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8'));
  /** @type {string[]} */
  const group = nx.release?.projects ?? [];
  const dirs = ['packages', 'apps'].flatMap((parent) =>
    readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(ROOT, parent, d.name, 'package.json')))
      .map((d) => `${parent}/${d.name}`),
  );
  const found = dirs.filter((dir) => group.includes(readManifest(dir).name));
  const missing = group.filter((name) => !found.some((dir) => readManifest(dir).name === name));
  if (missing.length > 0) {
    throw new Error(
      `no folder under packages/ or apps/ holds ${missing.join(', ')} (nx.json release.projects)`,
    );
  }
  return found;
}

const USAGE = `Usage: node tools/api-surface.js [--update] [--reports DIR] [PACKAGE_DIR...]

Lists the run-time exports and the exported types of each published package's built entry
(build first: npx nx run-many -t build) and compares them with api/<name>.api.md.

Options:
  --update       write the reports instead of checking them (npm run api:update)
  --reports DIR  the folder of the reports (default: api in the repository)
  -h, --help     print this help
`;

/** @param {string} dir a package folder relative to the repository */
function reportName(dir) {
  const manifest = readManifest(dir);
  return `${manifest.name.replace(/^@tunasync\//, '')}.api.md`;
}

/** @param {string} dir */
function readManifest(dir) {
  return /** @type {{ name: string; main: string; types: string }} */ (
    JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'))
  );
}

/** @param {unknown} value */
function runtimeKind(value) {
  if (typeof value === 'function') {
    return /^class[\s{]/.test(Function.prototype.toString.call(value)) ? 'class' : 'function';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** @param {ts.Symbol} symbol */
function declarationKind(symbol) {
  const f = symbol.flags;
  const S = ts.SymbolFlags;
  if (f & S.Class) return 'class';
  if (f & S.Enum) return 'enum';
  if (f & S.Function) return 'function';
  if (f & S.Interface) return 'interface';
  if (f & S.TypeAlias) return 'type';
  if (f & S.Variable) return 'const';
  if (f & S.Module) return 'namespace';
  return 'other';
}

/**
 * A program over the declarations of a package, without lib: only the names and kinds of its
 * exports are read, no type is checked.
 * @param {string} declarations
 */
function declarationProgram(declarations) {
  return ts.createProgram([declarations], {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    noLib: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
}

/**
 * The report of one package: its run-time exports with their kind, then the names only its
 * declarations export (types), with theirs.
 * @param {string} dir
 */
function surface(dir) {
  const manifest = readManifest(dir);
  const entry = join(ROOT, dir, manifest.main);
  const declarations = join(ROOT, dir, manifest.types);
  for (const file of [entry, declarations]) {
    if (!existsSync(file)) {
      throw new Error(`${dir} is not built (${file} is missing): run npx nx run-many -t build`);
    }
  }
  const loaded = /** @type {Record<string, unknown>} */ (require(entry));
  const runtime = Object.keys(loaded)
    .filter((name) => name !== '__esModule' && name !== 'default')
    .sort()
    .map((name) => `- \`${name}\`: ${runtimeKind(loaded[name])}`);

  const program = declarationProgram(declarations);
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(declarations);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${declarations} declares no module`);
  const types = checker
    .getExportsOfModule(moduleSymbol)
    .filter((symbol) => !(symbol.name in loaded))
    .map((symbol) => {
      const target =
        symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return { name: symbol.name, kind: declarationKind(target) };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, kind }) => `- \`${name}\`: ${kind}`);

  return [
    `# API surface of ${manifest.name}`,
    '',
    '<!-- Generated by `npm run api:update` (tools/api-surface.js) from the built package: do not edit. -->',
    '',
    `## Run-time exports (${manifest.main.replace(/^\.\//, '')})`,
    '',
    ...(runtime.length > 0 ? runtime : ['(none)']),
    '',
    `## Type-only exports (${manifest.types.replace(/^\.\//, '')})`,
    '',
    ...(types.length > 0 ? types : ['(none)']),
    '',
  ].join('\n');
}

/**
 * The lines only in `want` (+) and only in `have` (-), in report order.
 * @param {string} have @param {string} want
 */
function difference(have, want) {
  const before = new Set(have.split('\n'));
  const after = new Set(want.split('\n'));
  return [
    ...have
      .split('\n')
      .filter((l) => l !== '' && !after.has(l))
      .map((l) => `  - ${l}`),
    ...want
      .split('\n')
      .filter((l) => l !== '' && !before.has(l))
      .map((l) => `  + ${l}`),
  ];
}

function main() {
  const { values, positionals } = parseArgs({
    options: {
      update: { type: 'boolean', default: false },
      reports: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const reports = resolve(values.reports ?? join(ROOT, 'api'));
  const published = publicPackages();
  const dirs = positionals.length > 0 ? positionals : published;
  let stale = 0;
  for (const dir of dirs) {
    if (!published.includes(dir)) {
      process.stderr.write(
        `api-surface: ${dir} is not a published package (${published.join(', ')})\n`,
      );
      return 2;
    }
    const file = join(reports, reportName(dir));
    const want = surface(dir);
    if (values.update) {
      mkdirSync(reports, { recursive: true });
      writeFileSync(file, want);
      process.stdout.write(`api-surface: wrote ${file}\n`);
      continue;
    }
    const have = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (have === want) {
      process.stdout.write(`api-surface: ${dir} matches ${file}\n`);
      continue;
    }
    stale += 1;
    process.stdout.write(
      `api-surface: the public surface of ${dir} differs from ${file}${have === '' ? ' (missing)' : ''}:\n${difference(have, want).join('\n')}\n`,
    );
  }
  if (stale > 0) {
    process.stdout.write(
      'api-surface: if the change is meant, run `npm run api:update` and commit api/\n',
    );
    return 1;
  }
  return 0;
}

process.exitCode = main();
