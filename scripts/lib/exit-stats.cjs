// Preloaded (`node -r`) into a whole `txreplay` process by scripts/bench-replay.mjs --cli: at exit, the main thread's
// CPU (/proc/thread-self/schedstat), the process's CPU, minor faults and peak RSS, as one JSON line appended to the
// file named by TXREPLAY_EXIT_STATS (worker threads, which run the preload too, write nothing).
const { appendFileSync, readFileSync } = require('node:fs');
const { isMainThread } = require('node:worker_threads');
const file = process.env.TXREPLAY_EXIT_STATS;
if (file && isMainThread)
  process.on('exit', () => {
    let mainS = null;
    try {
      mainS = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
    } catch {}
    const r = process.resourceUsage();
    const stats = {
      mainS,
      cpuS: (r.userCPUTime + r.systemCPUTime) / 1e6,
      minflt: r.minorPageFault,
      maxRssMB: r.maxRSS / 1024,
    };
    appendFileSync(file, `${JSON.stringify(stats)}\n`);
  });
