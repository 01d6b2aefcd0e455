#!/usr/bin/env node
// A worker is idle nearly all the time (its syncs are child processes): V8's heuristics for
// a small heap keep an idle 1,000-mirror worker under 100 MB instead of ~200 MB, the heap
// grown by the start-up and the first round of runs being given back (bench/worker-scale.js).
// A GC heuristic read as the heap grows, so setting it here, before anything is loaded, is
// early enough.
require('node:v8').setFlagsFromString('--optimize-for-size');
require('../dist/cli.js').main();
