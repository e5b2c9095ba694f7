/**
 * @txreplay/model/core — the kernel model without the simulator (../sim): what replay runs on every diagnose (DQL,
 * kernel behaviour by release, driver profiles), so a `txreplay diagnose` does not load the simulator, its
 * scenarios and its perf-script writer (start-up). ../index.ts exports the same objects beside the simulator.
 */
export { Dql } from './dql.js';
export { kernelBehaviour } from './kernel.js';
export { driverProfileNamed, NAMED_DRIVERS } from './driver/profiles.js';
