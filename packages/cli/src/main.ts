#!/usr/bin/env node
/**
 * `txreplay` entry point: the signal handlers first, before the program and its commands are even loaded, so
 * a SIGINT/SIGTERM during start-up ends the process with 130/143 like one during the work (./run.ts); `--version`
 * alone is answered before commander and the command definitions load; then the program (./program.ts, loaded by
 * ./cold-start.ts), whose commands load the library they call only when they run. Built as dist/main.cjs (the bin:
 * a CommonJS entry spares node its ES module loader) and as dist/main.js (an ES module, for scripts that import or
 * run that path).
 */
import { startProgram } from './cold-start.js';
import { installSignalHandlers } from './run.js';
import { VERSION } from './version.js';

installSignalHandlers();
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`${VERSION}\n`);
// not awaited at the top level: the `txreplay` bin is this module bundled as CommonJS (scripts/bundle-cli.mjs)
else void startProgram();
