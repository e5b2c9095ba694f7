/**
 * The README's "Rule → evidence → real trace → scenario" table covers every finding kind the replay can emit
 * (FindingKind in src/types.ts): a new kind without its row fails here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('README rule table', () => {
  it('has one row per FindingKind', () => {
    const types = readFileSync(path.join(pkg, 'src/types.ts'), 'utf8');
    const union = /export type FindingKind =([\s\S]*?);/.exec(types)![1]!;
    const kinds = [...union.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    expect(kinds.length).toBeGreaterThan(20);
    const readme = readFileSync(path.join(pkg, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Rule → evidence → real trace → scenario'));
    const rows = new Set([...table.matchAll(/^\| `([a-z_]+)`\s*\|/gm)].map((m) => m[1]!));
    expect(kinds.filter((k) => !rows.has(k))).toEqual([]);
  });
});
