/**
 * Hostile strings where a trace or a log puts untrusted text: device names, comm/notes, source file names,
 * finding titles built from them. Each tries to escape its context: HTML tags, Markdown code spans (backticks),
 * table cells (pipes), links (`](javascript:`), entities.
 */
import type { ReplayResult } from '@txreplay/replay';
import { multiqueueResult } from './fixtures.js';

export const HOSTILE = {
  dev: `<img src=x onerror=alert(1)>"'&amp;</script>`,
  note: 'comm=<script>alert(2)</script> | pipe | `tick` ``two`` [x](javascript:alert(3)) ](javascript:alert(4))',
  file: 'evil`|[a](javascript:alert(5))<b>',
  title: '* _em_ # [link](javascript:alert(6)) &#39; <!-- -->',
};

export function hostileResult(): ReplayResult {
  const r = multiqueueResult();
  r.queues[1]!.dev = HOSTILE.dev;
  r.series[1]!.dev = HOSTILE.dev;
  const f = r.findings[0]!;
  f.dev = HOSTILE.dev;
  f.title = `stuck ${HOSTILE.dev}`;
  f.explanation = `${HOSTILE.title} ${HOSTILE.note}`;
  f.evidence[0]!.source = `/tmp/${HOSTILE.file}.txt`;
  f.evidence[0]!.note = HOSTILE.note;
  f.nextSteps = [`# ${HOSTILE.title}`, `1. ${HOSTILE.note}`];
  r.trace.sources = [`/tmp/${HOSTILE.file}.txt`];
  r.captureAdvice = [HOSTILE.note];
  return r;
}
