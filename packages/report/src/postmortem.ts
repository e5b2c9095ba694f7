/**
 * The post-mortem a person reads and shares: one self-contained HTML file (html.ts: verdict beside the
 * timeline of the worst finding, interactive uPlot timelines, findings, queue table) and a Markdown variant
 * (markdown.ts) with one static SVG timeline per device written beside it.
 */
import { writeOutputFile } from '@txreplay/ingest';
import path from 'node:path';
import type { Table } from 'apache-arrow';
import type { DeviceProfile, DeviceProfiles, ReplayResult } from '@txreplay/replay';
import { renderHtml as renderHtmlWith } from './html.js';
import { renderMarkdown, type MarkdownImage } from './markdown.js';
import { renderDeviceSvg } from './svg.js';
import { napiDevices } from './timeline.js';
import { type TimelineModel, timelineModel } from './timeline-model.js';
import { rankFindings } from './verdict.js';

export interface PostMortemOptions {
  /** write a self-contained HTML report to this path */
  html?: string;
  /** write a Markdown report to this path (and its timelines beside it: <name>.<device>.svg) */
  md?: string;
  /** title shown at the top (defaults to the trace sources) */
  title?: string;
  /** the event table, when the caller has it: tells which devices ran NAPI (veth-like devices have none) */
  events?: Table;
  /** the replay's profiles (--driver, --device-profile): which series a device has (BQL, own completions) */
  profile?: DeviceProfile;
  deviceProfiles?: DeviceProfiles;
}

type ModelOptions = Pick<PostMortemOptions, 'events' | 'profile' | 'deviceProfiles'>;

function modelOf(result: ReplayResult, opts: ModelOptions): TimelineModel {
  const napiDevs = opts.events ? napiDevices(opts.events) : null;
  const drivers: Record<string, string> = {};
  for (const [dev, p] of Object.entries(opts.deviceProfiles ?? {})) if (p.driver) drivers[dev] = p.driver;
  return timelineModel(result, rankFindings(result.findings), {
    drivers,
    defaultDriver: opts.profile?.driver,
    napiDevs,
  });
}

/** The HTML post-mortem as a string. */
export function renderHtml(result: ReplayResult, title?: string, opts: ModelOptions = {}): string {
  return `${renderHtmlWith(result, modelOf(result, opts), title)}\n`;
}

/**
 * Every post-mortem file goes through the tool's one output writer (@txreplay/ingest io/output.ts): atomic, symlinks
 * written through, a missing directory an error (never created), an input never overwritten.
 */
async function writeText(file: string, text: string): Promise<void> {
  await writeOutputFile(file, text);
}

/** Markdown and its SVG timelines: `report.md` → `report.<device id>.svg` beside it. */
async function writeMarkdown(result: ReplayResult, md: string, opts: PostMortemOptions): Promise<string[]> {
  const model = modelOf(result, opts);
  const base = path.basename(md).replace(/\.(md|markdown)$/i, '');
  const images: MarkdownImage[] = model.devices.map((d) => ({ dev: d.dev, file: `${base}.${d.id}.svg` }));
  const written: string[] = [];
  for (const [i, d] of model.devices.entries()) {
    const file = path.join(path.dirname(md), images[i]!.file);
    await writeText(file, `${renderDeviceSvg(d)}\n`);
    written.push(file);
  }
  await writeText(md, renderMarkdown(result, opts.title, images));
  written.push(md);
  return written;
}

/** Writes the HTML and/or Markdown post-mortem; returns every file written (Markdown's SVG timelines too). */
export async function writePostMortem(result: ReplayResult, opts: PostMortemOptions): Promise<string[]> {
  if (!opts.html && !opts.md) throw new Error('writePostMortem: give html and/or md output paths');
  const written: string[] = [];
  if (opts.html) {
    await writeText(opts.html, renderHtml(result, opts.title, opts));
    written.push(opts.html);
  }
  if (opts.md) written.push(...(await writeMarkdown(result, opts.md, opts)));
  return written;
}
