#!/usr/bin/env node
/**
 * `txreplay` entry point: the signal handlers first, before the program and its commands are even loaded, so
 * a SIGINT/SIGTERM during start-up ends the process with 130/143 like one during the work (./run.ts); then the
 * program (./program.ts).
 */
import { installSignalHandlers } from './run.js';

installSignalHandlers();
await import('./program.js');
