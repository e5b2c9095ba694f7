/**
 * Kernel-version behaviours that change what the TX path does (spec §A.6, §B, §C, §E).
 *
 * Only the switches the model needs are here. Where a behaviour arrived in a stable series by
 * backport, the sublevel threshold is given per series; thresholds not checked against a tagged
 * tree are marked "approx." (see packages/model/README.md, "Kernel versions").
 */

interface KernelVersion {
  major: number;
  minor: number;
  /** stable sublevel, 0 when the release string has none */
  sublevel: number;
}

export interface KernelBehaviour {
  /** e.g. '6.12', '5.15', '6.18' */
  label: string;
  /** dql_reset(): `limit = min_limit` (6.15+, stable backports mid-2025) or `limit = 0` (older). §A.2 */
  dqlResetSetsLimitTo: 'min_limit' | 'zero';
  /** clamp() when min_limit > max_limit: v6 `v >= hi ? hi : (v <= lo ? lo : v)`; v5 `min(max(v, lo), hi)`. §A.4 */
  dqlClamp: 'v6' | 'v5';
  /** 6.9+: stall detector fields, dql_check_stall and napi:dql_stall_detected. §A.5 */
  dqlStallDetection: boolean;
  /** 6.x: netif_tx_stop_queue and netdev_tx_sent_queue (STACK_XOFF set) refresh trans_start. §B, §C */
  transStartOnStop: boolean;
  /** dev_watchdog re-arm: round_jiffies(oldest_start + timeo) (6.10+) or round_jiffies(jiffies + timeo). §E */
  watchdogRearm: 'oldest_start' | 'jiffies';
  /** ≤ 6.8: dev_watchdog runs under netif_tx_lock, so every queue is FROZEN during the scan. §E */
  watchdogFreezesAllQueues: boolean;
  /** qdisc_dequeue tracepoint `packets=` for a NULL skb (6.18: 0, 6.12: 1). §D.4 */
  nullDequeuePackets: 0 | 1;
  // ---- additions beyond the contract (additive) ----
  /** the parsed release */
  version: KernelVersion;
  /** dql_queued with count > DQL_MAX_OBJECT: BUG_ON (≤ 6.9) or WARN_ON_ONCE + return without accounting (6.10+). §A.3 */
  dqlQueuedOversize: 'bug' | 'warn_return';
  /** 6.9 only: the history bitmap is recorded on every dql_queued, not only when stall_thrs != 0. §A.3 */
  dqlStallHistoryAlways: boolean;
  /** the NETDEV WATCHDOG message form. §E */
  watchdogLog: 'warn_once' | 'warn_once_ms' | 'netdev_crit_ms';
}

/** Parse '6.18.44-fc-v769', '5.15.100', '6.12' … into numbers. Throws on anything else. */
function parseKernelRelease(release: string): KernelVersion {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m)
    throw new Error(`kernelBehaviour: cannot parse kernel release '${release}' (expected e.g. '6.12.117' or '5.15')`);
  return { major: Number(m[1]), minor: Number(m[2]), sublevel: m[3] === undefined ? 0 : Number(m[3]) };
}

function vcode(major: number, minor: number): number {
  return major * 1000 + minor;
}

/**
 * True when `v` has a change that landed in mainline `mainline` and was backported to the stable
 * series listed in `stables` (minor code → first sublevel that has it).
 */
function hasChange(v: KernelVersion, mainline: number, stables: Readonly<Record<number, number>>): boolean {
  const code = vcode(v.major, v.minor);
  if (code >= mainline) return true;
  const first = stables[code];
  return first !== undefined && v.sublevel >= first;
}

// "dql: Fix dql->limit value when reset." (Jing Su): mainline 6.15; AUTOSEL backports reviewed
// 2 June 2025 (5.4, 5.10, 6.6 reviews seen). Sublevels approx. (the stable releases of early June 2025).
// Verified: present in 6.12.117 and 6.1.192, absent in 5.15.100.
const DQL_RESET_MIN_LIMIT_STABLES: Record<number, number> = {
  [vcode(6, 14)]: 10,
  [vcode(6, 12)]: 32,
  [vcode(6, 6)]: 93,
  [vcode(6, 1)]: 141,
  [vcode(5, 15)]: 185,
  [vcode(5, 10)]: 238,
  [vcode(5, 4)]: 294,
};

// "net: fix races in netdev_tx_sent_queue()/dev_watchdog()" (Eric Dumazet, 95ecba62e2fd, 6.12-rc5)
// and its stable dependency "net/sched: adjust device watchdog timer to detect stopped queue at
// right time" (oldest_start, mainline 6.10). Both in 6.1.115 (stable review of 28 Oct 2024 seen);
// 6.6.59 and 6.11.6 from the same batch (approx.). Verified absent in 5.15.100.
const TRANS_START_ON_STOP_STABLES: Record<number, number> = {
  [vcode(6, 11)]: 6,
  [vcode(6, 6)]: 59,
  [vcode(6, 1)]: 115,
};
const WATCHDOG_OLDEST_START_STABLES = TRANS_START_ON_STOP_STABLES;

// "make dev_watchdog() less intrusive" (tx_global_lock only, no freeze during the scan): ~6.9
// (approx.); present in 6.1.192 (spec §E). The 6.1 sublevel is not known; assumed the same batch
// as the oldest_start backport (approx.).
const WATCHDOG_NO_FREEZE_STABLES: Record<number, number> = {
  [vcode(6, 6)]: 59,
  [vcode(6, 1)]: 115,
};

/**
 * Behaviour switches for a kernel release string: '6.18.44-fc-v769' → 6.18 rules,
 * '5.15.100' → 5.15 rules. A bare '6.12' is read as 6.12.0 for backport thresholds, except that
 * bare labels of the verified trees ('6.12', '6.1') get the verified stable behaviour.
 */
export function kernelBehaviour(release: string): KernelBehaviour {
  let v = parseKernelRelease(release);
  const bare = !/^\s*v?\d+\.\d+\.\d+/.test(release);
  // A bare series label means "the series as we verified it" (spec sources: 6.12.117, 6.1.192, 5.15.100).
  if (bare && v.major === 6 && v.minor === 12) v = { ...v, sublevel: 117 };
  if (bare && v.major === 6 && v.minor === 1) v = { ...v, sublevel: 192 };
  if (bare && v.major === 5 && v.minor === 15) v = { ...v, sublevel: 100 };
  const code = vcode(v.major, v.minor);
  const stallDetection = code >= vcode(6, 9);
  return {
    label: `${v.major}.${v.minor}`,
    version: v,
    dqlResetSetsLimitTo: hasChange(v, vcode(6, 15), DQL_RESET_MIN_LIMIT_STABLES) ? 'min_limit' : 'zero',
    // minmax.h __clamp "v >= hi ? hi : (v <= lo ? lo : v)": "minmax: sanity check constant bounds
    // when clamping", 6.1-rc1 (approx.); verified v6 in 6.12/6.17, v5 in 5.15.
    dqlClamp: code >= vcode(6, 1) ? 'v6' : 'v5',
    dqlStallDetection: stallDetection,
    transStartOnStop: hasChange(v, vcode(6, 12), TRANS_START_ON_STOP_STABLES),
    watchdogRearm: hasChange(v, vcode(6, 10), WATCHDOG_OLDEST_START_STABLES) ? 'oldest_start' : 'jiffies',
    watchdogFreezesAllQueues: !hasChange(v, vcode(6, 9), WATCHDOG_NO_FREEZE_STABLES),
    // dequeue_skb's packets counter initialisation changed after 6.12 (6.18 verified 0); 6.13 approx.
    nullDequeuePackets: code >= vcode(6, 13) ? 0 : 1,
    dqlQueuedOversize: code >= vcode(6, 10) ? 'warn_return' : 'bug',
    dqlStallHistoryAlways: code === vcode(6, 9),
    // " %u ms" appended ~5.16 (approx.); WARN_ONCE → netdev_crit ~6.8 (approx.).
    watchdogLog: code >= vcode(6, 8) ? 'netdev_crit_ms' : code >= vcode(5, 16) ? 'warn_once_ms' : 'warn_once',
  };
}
