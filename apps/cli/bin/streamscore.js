#!/usr/bin/env node
// The compiled CLI (`npm run build` writes dist/); this file only makes it an npm bin.
require('../../../dist/apps/cli/src/main.js');
