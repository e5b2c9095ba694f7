/**
 * @txreplay/report — public face. ClickHouse storage (embedded chDB or server by URL) and post-mortems.
 * CONTRACT (names/signatures stay; the report work fills the bodies):
 *   writePostMortem(result, { html?, md? }) renders a self-contained HTML and/or Markdown post-mortem.
 */
import type { ReplayResult } from '@txreplay/replay';

export interface PostMortemOptions {
  /** write a self-contained HTML report to this path */
  html?: string;
  /** write a Markdown report to this path */
  md?: string;
  /** title shown at the top (defaults to the trace sources) */
  title?: string;
}

export async function writePostMortem(result: ReplayResult, opts: PostMortemOptions): Promise<void> {
  void result;
  void opts;
  throw new Error('writePostMortem: not implemented yet');
}
