#!/usr/bin/env node
// `npm start`: the one-command demo (manager + worker on an embedded config syncing a local
// demo upstream) is not built yet. Until it is, say so and show how to start the pieces
// by hand — this script does not pretend to run anything.
'use strict';

process.stderr.write(
  [
    'npm start: the bundled demo (manager + worker on a local demo upstream) is not available yet.',
    '',
    'Start the pieces by hand after `npm ci && npm run build`:',
    '  node_modules/.bin/tunasync-manager --config manager.conf',
    '  node_modules/.bin/tunasync-worker --config worker.conf',
    '  node_modules/.bin/tunasynctl list --all',
    '',
  ].join('\n'),
);
process.exitCode = 1;
