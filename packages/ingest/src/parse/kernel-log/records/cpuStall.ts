/**
 * A CPU that stopped running what it should, reported by the kernel's own watchdogs:
 * - the soft-lockup detector (kernel/watchdog.c watchdog_timer_fn()): `watchdog: BUG: soft lockup - CPU#58 stuck for
 *   23s! [kworker/u146:7:707658]` (before 4.16 without the `watchdog: ` prefix) — the CPU did not schedule for that
 *   long: a task held it with preemption off, or softirq work never let go;
 * - the hard-lockup detector (watchdog_hld.c): `Watchdog detected hard LOCKUP on cpu 7` — interrupts off that long;
 * - RCU's stall detector: `rcu: INFO: rcu_sched self-detected stall on CPU` / `INFO: rcu_preempt detected stalls on
 *   CPUs/tasks:` with the CPUs on the lines after.
 * A TX queue whose completions are reaped by NAPI on a stuck CPU stalls with it: the NIC sent, nobody freed.
 */
import type { CpuStallRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const SOFT_RE = /\bBUG: soft lockup - CPU#(\d+) stuck for (\d+)s! \[(.+):(\d+)\]/;
const HARD_RE = /\bWatchdog detected hard LOCKUP on cpu (\d+)/;
const RCU_RE = /\bINFO: (rcu_\w+) (self-detected stall on CPU|detected stalls on CPUs\/tasks)/;
/** the CPU lines right after an RCU stall header: `\t58-....: (1 GPs behind) …` */
const RCU_CPU_RE = /^(?:rcu: )?\s*(\d+)-[.\w]{4}:/;

export function matchCpuStall(c: Cursor, i: number): CpuStallRecord | null {
  const msg = c.lines[i]!.message;
  let m = SOFT_RE.exec(msg);
  if (m)
    return {
      kind: 'cpu_stall',
      ...takeSpan(c, [i]),
      what: 'soft_lockup',
      cpus: [Number(m[1])],
      seconds: Number(m[2]),
      task: m[3]!,
      text: m[0].replace(/^\bBUG: /, ''),
    };
  m = HARD_RE.exec(msg);
  if (m) return { kind: 'cpu_stall', ...takeSpan(c, [i]), what: 'hard_lockup', cpus: [Number(m[1])], text: m[0] };
  m = RCU_RE.exec(msg);
  if (!m) return null;
  const idx = [i];
  const cpus: number[] = [];
  for (let j = i + 1; j < c.lines.length && j <= i + 8; j++) {
    const cpu = RCU_CPU_RE.exec(c.lines[j]!.message);
    if (!cpu) break;
    cpus.push(Number(cpu[1]));
    idx.push(j);
  }
  return { kind: 'cpu_stall', ...takeSpan(c, idx), what: 'rcu_stall', cpus, text: m[0] };
}
