/**
 * @txreplay/model's public face: only what other packages, their tests and scripts/ use.
 * core/ is the kernel model (DQL/BQL, netdev_queue, qdiscs, driver rings, watchdog, NAPI);
 * sim/ drives it (simulator, scenarios, faults, perf-script writer). The model's own tests import from src/ paths.
 */
export { Dql } from './core/dql.js';
export { kernelBehaviour } from './core/kernel.js';
export { parseScenario, resolveScenario, ScenarioError } from './sim/scenario.js';
export { Simulator, type SimResult } from './sim/simulator.js';
export { tcStatsText } from './sim/tc-stats-writer.js';
export { ethtoolStatsText } from './sim/ethtool-stats-writer.js';
export { queueSysfsText } from './sim/queue-sysfs-writer.js';
export { interruptsText } from './sim/interrupts-writer.js';
export { PerfScriptWriter, perfScriptContextFor } from './sim/perf-script-writer.js';
export { driverProfileNamed, NAMED_DRIVERS } from './core/driver/profiles.js';
