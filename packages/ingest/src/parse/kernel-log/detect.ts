/**
 * Format sniffing for kernel logs, to sit beside the trace sniffer (sniff.ts detectFormat): decides from the
 * first lines whether the input is a kernel log and in which envelope.
 */
import { parseEnvelope } from './envelope.js';
import { parseJournalJson } from './journalJson.js';
import type { KernelLogShape } from './types.js';
import { unwrapRows } from './unwrap.js';

export interface KernelLogGuess {
  shape: KernelLogShape;
  /** Share of non-blank lines that carry a kernel-log envelope, 0..1 (syslog files count only kernel-tagged lines fully). */
  confidence: number;
}

const SYSLOG_SHAPES = new Set<KernelLogShape>([
  'syslog',
  'syslog-iso',
  'rfc5424',
  'journal-short',
  'journal-short-iso',
  'journal-short-full',
  'journal-short-unix',
  'journal-json',
  'logread',
]);

/**
 * Guess the kernel-log shape of the first lines, or null if they do not look like one.
 * Continuation lines of multi-line printks (indented, no envelope) count as half a vote for the shape before them,
 * so an Intel hang dump pasted from dmesg still reads as dmesg. Bare messages never make a guess on their own.
 */
export function looksLikeKernelLog(firstLines: readonly string[]): KernelLogGuess | null {
  const votes = new Map<KernelLogShape, number>();
  let nonBlank = 0;
  let score = 0;
  let last: KernelLogShape | null = null;
  for (const { text: s, env } of unwrapRows(firstLines)) {
    if (s.trim() === '') continue;
    nonBlank++;
    let shape: KernelLogShape | null = null;
    let kernelTagged = true;
    const json = s.trimStart().startsWith('{') ? parseJournalJson(s) : null;
    if (json && json[0]) {
      shape = 'journal-json';
      kernelTagged = json[0].ident === 'kernel';
    } else {
      const e = env !== undefined ? env : parseEnvelope(s);
      if (e && e.shape !== 'bare') {
        shape = e.shape;
        kernelTagged = e.ident === undefined || e.ident === 'kernel';
      }
    }
    if (shape) {
      const w = SYSLOG_SHAPES.has(shape) && !kernelTagged ? 0.5 : 1;
      votes.set(shape, (votes.get(shape) ?? 0) + w);
      score += w;
      last = shape;
    } else if (last && /^\s/.test(s)) {
      votes.set(last, (votes.get(last) ?? 0) + 0.5);
      score += 0.5;
    }
  }
  if (nonBlank === 0 || votes.size === 0) return null;
  let best: KernelLogShape | null = null;
  let bestVotes = 0;
  for (const [shape, v] of votes) {
    if (v > bestVotes) {
      best = shape;
      bestVotes = v;
    }
  }
  const confidence = Math.min(1, score / nonBlank);
  if (!best || confidence < 0.5) return null;
  return { shape: best, confidence: Math.round(confidence * 1000) / 1000 };
}
