#!/usr/bin/env node
// Guard rail (`pnpm lint`): every spec citation in the code (§A, §D.4, §I.8 …) must name a part of the
// specification vendored at docs/kernel-tx-path.md, so a reader can follow it inside the repository.
// A letter resolves to its "## X." heading; letter.n to a "### X.n" heading or to item "n." of section X's list.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const spec = readFileSync(join(root, 'docs/kernel-tx-path.md'), 'utf8').split('\n');

const known = new Set();
let section = null;
for (const line of spec) {
  const top = /^## ([A-Z])\. /.exec(line);
  if (top) {
    section = top[1];
    known.add(section);
    continue;
  }
  const sub = /^### ([A-Z])\.(\d+) /.exec(line);
  if (sub) {
    known.add(`${sub[1]}.${sub[2]}`);
    continue;
  }
  const item = /^(\d+)\. /.exec(line);
  if (item && section) known.add(`${section}.${item[1]}`);
}

const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : /\.(ts|mts|mjs|md)$/.test(name) ? [p] : [];
  });

let cited = 0;
const bad = [];
for (const file of [...walk(join(root, 'packages')), ...walk(join(root, 'scripts'))]) {
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      for (const m of line.matchAll(/§([A-Z](?:\.\d+)?)/g)) {
        cited++;
        if (!known.has(m[1]))
          bad.push(`${relative(root, file)}:${i + 1}: §${m[1]} is not a part of docs/kernel-tx-path.md`);
      }
    });
}
if (bad.length > 0) {
  process.stderr.write(`${bad.join('\n')}\n${bad.length} of ${cited} spec citations do not resolve\n`);
  process.exit(1);
}
process.stdout.write(`spec citations: ${cited}, all resolve in docs/kernel-tx-path.md\n`);
