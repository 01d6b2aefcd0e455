#!/usr/bin/env node
// @ts-check
// `npm run pack`: the install route from a checkout. Builds the eight public packages (the
// release group of nx.json) and packs them into one folder of tarballs, so that
// `npm install -g ./dist-packages/*.tgz` installs every program with its libraries, without a
// registry holding @tunasync/* (third-party dependencies still come from the npm registry).
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join, relative, resolve, isAbsolute } = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = resolve(__dirname, '..');

const USAGE = `Usage: npm run pack [-- options]   (or: node tools/pack.js [options])

Builds the public @tunasync packages and packs them into one folder of tarballs.
Install them all from there with: npm install -g ./dist-packages/*.tgz

Options:
  --out DIR     where the tarballs go (default: dist-packages in the repository); the
                @tunasync tarballs of an earlier pack there are replaced, nothing else is touched
  --no-build    do not run the (cached) build first; the packages must be built already
  -h, --help    print this help
`;

/** @param {string} text */
function fail(text) {
  process.stderr.write(`npm run pack: ${text}\n`);
  process.exit(1);
}

/** @param {string} file */
function shown(file) {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}

/**
 * The release group: the packages published together (nx.json `release.projects`).
 * @returns {string[]}
 */
function releaseProjects() {
  const nx = JSON.parse(readFileSync(join(ROOT, 'nx.json'), 'utf8'));
  return nx.release.projects;
}

/**
 * Fails naming what is missing when a package's entry point was not built.
 * @param {string[]} projects
 */
function requireBuilt(projects) {
  const missing = [];
  for (const dir of ['packages', 'apps'].flatMap((d) =>
    readdirSync(join(ROOT, d)).map((e) => join(ROOT, d, e)),
  )) {
    const file = join(dir, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8'));
    if (projects.includes(manifest.name) && !existsSync(join(dir, manifest.main))) {
      missing.push(shown(join(dir, manifest.main)));
    }
  }
  if (missing.length > 0) fail(`not built: ${missing.join(', ')}; run it without --no-build`);
}

/** @returns {{ out: string, build: boolean }} */
function parseOptions() {
  try {
    const { values } = parseArgs({
      options: {
        out: { type: 'string' },
        'no-build': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    return { out: resolve(values.out ?? join(ROOT, 'dist-packages')), build: !values['no-build'] };
  } catch (err) {
    process.stderr.write(`npm run pack: ${/** @type {Error} */ (err).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

function main() {
  const { out, build } = parseOptions();
  const projects = releaseProjects();
  if (build) {
    const result = spawnSync(
      'npx',
      [
        'nx',
        'run-many',
        '-t',
        'build',
        `--projects=${projects.join(',')}`,
        '--output-style=static',
      ],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (result.status !== 0) fail('the build failed (output above)');
  }
  requireBuilt(projects);
  mkdirSync(out, { recursive: true });
  // `npm pack` names a scoped package's tarball `<scope>-<name>-<version>.tgz`.
  for (const entry of readdirSync(out)) {
    if (/^tunasync-.+\.tgz$/.test(entry)) rmSync(join(out, entry));
  }
  const result = spawnSync(
    'npm',
    ['pack', '--json', '--pack-destination', out, ...projects.flatMap((p) => ['-w', p])],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (result.status !== 0) fail(`npm pack failed:\n${result.stdout}`);
  /** @type {Array<{ filename: string }>} */
  const packed = JSON.parse(result.stdout);
  const missing = packed.filter((p) => !existsSync(join(out, p.filename)));
  if (missing.length > 0)
    fail(`npm pack did not write ${missing.map((p) => p.filename).join(', ')}`);
  for (const p of packed) process.stdout.write(`${shown(join(out, p.filename))}\n`);
  process.stdout.write(
    `${packed.length} tarballs; install every program with: npm install -g ${isAbsolute(shown(out)) ? out : `./${shown(out)}`}/*.tgz\n`,
  );
}

main();
