#!/usr/bin/env node
import { runBundledProgram } from './code-cache.js';

// `serve` runs from the CommonJS bundle with its code cache (code-cache.ts: start to first answer);
// every other command from the ES modules, which load a command's modules only when it runs.
// Either way the whole command line is one copy of the modules (secret key names, stores).
if (!(process.argv[2] === 'serve' && runBundledProgram())) void import('./program.js').then(({ runProgram }) => runProgram());
