// Builds the WebAssembly line kernel (wasm/lines.ts → dist/lines.wasm) after `tsc -b` built dist/.
// First it writes src/table/catalogueIds.ts from the column catalogue (dist/table/catalogue.js): the numeric
// column, key and flag ids that the kernel (AssemblyScript imports plain constants only) and the parsers share.
// When the file changed (a column was added), dist/ is rebuilt so the JavaScript parsers use the same ids.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const idsPath = join(pkg, 'src/table/catalogueIds.ts');
const { catalogueIdsSource } = await import(pathToFileURL(join(pkg, 'dist/table/catalogue.js')).href);
const text = catalogueIdsSource();
let old = '';
try {
  old = readFileSync(idsPath, 'utf8');
} catch {}
if (old !== text) {
  writeFileSync(idsPath, text);
  execFileSync(process.execPath, [join(pkg, '../../node_modules/typescript/bin/tsc'), '-b', pkg], { stdio: 'inherit' });
}
const asc = join(pkg, 'node_modules/assemblyscript/bin/asc.js');
execFileSync(
  process.execPath,
  [asc, 'wasm/lines.ts', '-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '-o', 'dist/lines.wasm'],
  {
    cwd: pkg,
    stdio: 'inherit',
  },
);
