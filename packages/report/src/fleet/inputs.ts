/**
 * The trace files a bulk run covers: each argument is a file, a directory (every regular file under it,
 * recursively, hidden entries skipped) or a glob (`*`, `?`, `**` in the path; Node 20 has no fs.glob).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export interface BulkInput {
  path: string;
  bytes: number;
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** A glob as a regular expression over the path relative to its literal prefix. */
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
      if (pattern[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function expandGlob(pattern: string): string[] {
  const parts = pattern.split('/');
  const firstWild = parts.findIndex((p) => /[*?]/.test(p));
  const base = parts.slice(0, firstWild).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const re = globRegExp(parts.slice(firstWild).join('/'));
  const all: string[] = [];
  walk(base, all);
  return all.filter((p) => re.test(path.relative(base, p)));
}

/**
 * Expand the arguments to files, in argument order then path order, each once. An argument that matches
 * nothing is an error (a typo must not pass as an empty fleet).
 */
export function expandInputs(args: string[]): BulkInput[] {
  const seen = new Set<string>();
  const out: BulkInput[] = [];
  for (const a of args) {
    let files: string[];
    if (/[*?]/.test(a)) files = expandGlob(a);
    else {
      const st = statSync(a); // ENOENT: the caller reports the missing path
      files = [];
      if (st.isDirectory()) walk(a, files);
      else files.push(a);
    }
    if (files.length === 0) throw new Error(`${a}: no files match`);
    for (const f of files) {
      const abs = path.resolve(f);
      if (seen.has(abs)) continue;
      seen.add(abs);
      out.push({ path: f, bytes: statSync(f).size });
    }
  }
  return out;
}
