#!/usr/bin/env node
require('../dist/tunasynctl.js').main();
