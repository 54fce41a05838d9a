#!/usr/bin/env node
// The statewire executable: loads the CLI (src/cli/run.ts) while V8's young generation is
// held at its initial size, then runs the command line.

import { holdYoungGenerationGrowth } from './young-generation.js';

const release = holdYoungGenerationGrowth(process.execArgv, process.env['NODE_OPTIONS']);
const { runCli } = await import('./run.js');
release();
runCli(process.argv.slice(2));
