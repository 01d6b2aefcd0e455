#!/usr/bin/env node
// Build step (after tsc): bundles the CLI (`dist/cli.js`, this package's modules and
// @tunasync/api-types) into the one file `dist/tunasynctl.js` that `bin/tunasynctl.js` loads.
// tunasynctl must answer in about the time Node takes to start (SPEC §8); one file instead of
// some twenty-five modules spares their path resolution and reads. The package exports
// (`dist/index.js`) stay tsc's modules.
'use strict';

const { buildSync } = require('esbuild');
const { join } = require('node:path');

const root = join(__dirname, '..');

buildSync({
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile: join(root, 'dist', 'tunasynctl.js'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20.18',
  logLevel: 'warning',
  external: [
    // Third-party packages stay packages: installed beside ctl, with their own licences.
    'toml',
    'ajv',
    // @tunasync/client's undici transport, which tunasynctl never uses (it sends on node:http).
    'undici',
    // api-types' precompiled validators of worker.conf and manager.conf (115 KB that every
    // start would parse): tunasynctl never validates those files.
    './precompiled/WorkerConfig.js',
    './precompiled/ManagerConfig.js',
  ],
});
