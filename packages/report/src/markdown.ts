/**
 * The Markdown post-mortem: readable as plain text (CommonMark backslash escapes, no HTML entities) and
 * rendered safely (no trace string becomes markup, a link or raw HTML). Timelines are static SVG files
 * written beside it, one per device, linked as images.
 */
import type { ReplayResult } from '@txreplay/replay';
import { escapeMarkdown, escapeMarkdownBlock, markdownCode } from './escape.js';
import { QUEUE_COLS, defaultTitle, findingWhen, msBetween, traceFacts, when } from './report-text.js';
import { rankFindings, verdictOf } from './verdict.js';
import { evidenceSections } from './evidence-sections.js';

/** A device timeline image beside the Markdown file: `file` is its name relative to the Markdown file. */
export interface MarkdownImage {
  dev: string;
  file: string;
}

const cell = (v: string | number | bigint): string => escapeMarkdown(v);

function findingsMd(result: ReplayResult, out: string[]): void {
  const ranked = rankFindings(result.findings);
  out.push(`## Findings (${ranked.length})`, '');
  if (ranked.length === 0) out.push('No findings.', '');
  ranked.forEach((f, i) => {
    out.push(`### ${i + 1}. [${f.severity.toUpperCase()}] ${escapeMarkdown(f.title)}`, '');
    out.push(
      `${markdownCode(f.kind)} · ${escapeMarkdown(f.dev)}${f.queue === null ? '' : ` txq ${f.queue}`} · ${escapeMarkdown(findingWhen(result, f))}`,
      '',
    );
    out.push(escapeMarkdownBlock(f.explanation), '');
    if (f.evidence.length) {
      out.push('| source:line | when | event | note |', '|---|---|---|---|');
      for (const e of f.evidence) {
        out.push(
          `| ${markdownCode(`${e.source}:${e.line}`, true)} | ${when(result, e.tsNs)} | ${markdownCode(e.event, true)} | ${cell(e.note)} |`,
        );
      }
      out.push('');
    }
    if (f.nextSteps.length) {
      out.push('Next steps:', '');
      for (const s of f.nextSteps) out.push(`- ${escapeMarkdownBlock(s)}`);
      out.push('');
    }
  });
}

function queuesMd(result: ReplayResult, out: string[]): void {
  out.push('## Queues', '');
  if (!result.queues.length) {
    out.push('No TX queues seen.', '');
    return;
  }
  out.push(
    `| ${QUEUE_COLS.map(([h]) => cell(h)).join(' | ')} |`,
    `|${QUEUE_COLS.map((_, i) => (i > 1 ? '---:' : '---')).join('|')}|`,
  );
  for (const q of result.queues) out.push(`| ${QUEUE_COLS.map(([, f]) => cell(f(q))).join(' | ')} |`);
  out.push('', 'Stopped intervals:', '');
  for (const q of result.queues) {
    for (const iv of q.stoppedIntervals) {
      out.push(
        `- ${escapeMarkdown(q.dev)} txq ${q.queue}: ${escapeMarkdown(iv.state)} ${when(result, iv.startNs)} for ${msBetween(iv.startNs, iv.endNs)} ms`,
      );
    }
  }
  out.push('');
}

export function renderMarkdown(result: ReplayResult, title?: string, images: MarkdownImage[] = []): string {
  const t = title ?? defaultTitle(result);
  const out: string[] = [];
  out.push(`# ${escapeMarkdown(t)}`, '');
  out.push(
    `${traceFacts(
      result,
      (s) => escapeMarkdown(s),
      (s) => markdownCode(s),
      (s) => `**${s}**`,
    )}`,
    '',
  );
  out.push(`> **Verdict:** ${escapeMarkdown(verdictOf(result))}`, '');
  for (const img of images) {
    // the link target is percent-encoded: a file name cannot end the link or smuggle a scheme
    out.push(`![timeline of ${escapeMarkdown(img.dev)}](${encodeURIComponent(img.file)})`, '');
  }
  findingsMd(result, out);
  queuesMd(result, out);
  for (const sec of evidenceSections(result)) {
    out.push(`## ${escapeMarkdown(sec.heading)}`, '');
    for (const item of sec.items) out.push(`- ${escapeMarkdownBlock(item)}`);
    out.push('');
  }
  if (result.captureAdvice.length) {
    out.push('## Capture advice', '');
    for (const a of result.captureAdvice) out.push(`- ${escapeMarkdownBlock(a)}`);
    out.push('');
  }
  if (!images.length) out.push('_Timelines are in the HTML report (`--html`)._', '');
  return out.join('\n');
}
