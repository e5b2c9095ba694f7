/**
 * A kernel crash report: the header line (x86 page_fault_oops "BUG: kernel NULL pointer dereference, address: …",
 * "BUG: unable to handle page fault …", "kernel BUG at file:line!", "general protection fault …", arm64 "Unable to
 * handle kernel NULL pointer dereference at virtual address …", "Kernel panic - not syncing: …") and, from the lines
 * after it, where it happened: x86 `RIP: 0010:func+off/size [mod]` (older kernels print `[<addr>] func+off/size`),
 * arm64 `pc : func+off/size [mod]`, and the `Workqueue:` it ran in. Right after a TX timeout this is the driver's
 * recovery crashing (its reset task, its service task), which takes the host down, not only the queue.
 */
import type { KernelOopsRecord } from '../types.js';
import { takeSpan, type Cursor } from './cursor.js';

const HEADER_RE =
  /^(BUG: kernel NULL pointer dereference(?:, address: [0-9a-fx]+)?|BUG: unable to handle (?:kernel |page fault|paging request)[^\n]*|kernel BUG at \S+|Unable to handle kernel (?:NULL pointer dereference|paging request) at virtual address [0-9a-f]+|general protection fault[^\n]*|Kernel panic - not syncing:[^\n]*)/;
const FUNC = String.raw`([\w.]+\+0x[0-9a-f]+\/0x[0-9a-f]+(?: \[[\w-]+\])?)`;
const RIP_RE = new RegExp(String.raw`^(?:RIP: [0-9a-f]{4}:(?:\[<[0-9a-f]+>\]\s+\[<[0-9a-f]+>\] )?|pc : )` + FUNC);
const WORKQUEUE_RE = /^Workqueue: (.+?)\s*$/;
/** how far after the header the register dump's RIP / pc line comes (modules list, CPU, hardware name, stack) */
const LOOKAHEAD_LINES = 40;

export function matchOops(c: Cursor, i: number): KernelOopsRecord | null {
  const m = HEADER_RE.exec(c.msgs[i]!.rest.trim());
  if (!m) return null;
  const idx = [i];
  let rip: string | undefined;
  let workqueue: string | undefined;
  for (let j = i + 1; j < c.lines.length && j <= i + LOOKAHEAD_LINES && rip === undefined; j++) {
    const t = c.lines[j]!.message.trim();
    if (HEADER_RE.test(t)) break;
    const w = WORKQUEUE_RE.exec(t);
    if (w && workqueue === undefined) {
      workqueue = w[1]!;
      idx.push(j);
    }
    const r = RIP_RE.exec(t);
    if (r) {
      rip = r[1]!;
      idx.push(j);
    }
  }
  const rec: KernelOopsRecord = { kind: 'kernel_oops', ...takeSpan(c, idx), text: m[1]! };
  if (rip !== undefined) rec.rip = rip;
  if (workqueue !== undefined) rec.workqueue = workqueue;
  return rec;
}
