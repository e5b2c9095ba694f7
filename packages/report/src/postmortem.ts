import type { ReplayResult } from '@txreplay/replay';

export interface PostMortemOptions {
  /** write a self-contained HTML report to this path */
  html?: string;
  /** write a Markdown report to this path */
  md?: string;
  /** title shown at the top (defaults to the trace sources) */
  title?: string;
}
export function renderHtml(result: ReplayResult, title?: string): string { void result; return title ?? ''; }
export function renderMarkdown(result: ReplayResult, title?: string): string { void result; return title ?? ''; }
export async function writePostMortem(result: ReplayResult, opts: PostMortemOptions): Promise<void> {
  void result;
  void opts;
}
