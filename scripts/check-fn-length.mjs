// Guard rail (pnpm lint): no function in packages/*/src of MAX lines or more (issue "one catalogue, one grammar, one front
// door": split any function over ~80 lines where a name would explain the parts). Prints every offender with its
// file:line and exits 1 when there is one. Usage: node scripts/check-fn-length.mjs [--max N] [--report]
// (--report lists offenders but exits 0).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max');
const MAX = maxAt >= 0 ? Number(args[maxAt + 1]) : 80;
const reportOnly = args.includes('--report');

const files = execFileSync('git', ['ls-files', 'packages/*/src/**/*.ts'], { encoding: 'utf8' })
  .trim()
  .split('\n')
  .filter(Boolean);
const offenders = [];
for (const file of files) {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const visit = (node) => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node)
    ) {
      const first = src.getLineAndCharacterOfPosition(node.getStart()).line;
      const last = src.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = last - first + 1;
      if (lines >= MAX)
        offenders.push({ lines, where: `${file}:${first + 1}`, name: node.name?.getText?.() ?? '(anonymous)' });
    }
    ts.forEachChild(node, visit);
  };
  visit(src);
}
offenders.sort((a, b) => b.lines - a.lines);
for (const o of offenders) console.log(`${o.lines}\t${o.where}\t${o.name}`);
console.log(`${offenders.length} function(s) of ${MAX} lines or more in ${files.length} source files`);
if (offenders.length > 0 && !reportOnly) process.exit(1);
