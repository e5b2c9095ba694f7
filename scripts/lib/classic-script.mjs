/**
 * What scripts/bundle-cli.mjs and scripts/bundle-ingest.mjs both do to an esbuild result before it runs as a classic
 * script through vm.Script with a V8 code cache: its text in ASCII, and a check that every dynamic import esbuild
 * saw is still one `import("…")` call in it (the caller rewrites those into its loader's hook).
 */

/** The bundle's text with every non-ASCII character as a \u escape; `name` names it in the errors. */
export function asciiScriptBody(result, name) {
  // esbuild leaves regular expressions as written: their non-ASCII characters become \u escapes, which mean the same
  // in a regular expression, a string or an identifier (not in a String.raw template: none may have one)
  const text = result.outputFiles[0].text;
  if (text.match(/String\.raw`[^`]*`/g)?.some((t) => /[^\x00-\x7f]/.test(t)))
    throw new Error(`${name}: a String.raw template with a non-ASCII character would see its \\u escape`);
  const body = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  // import() in a vm.Script needs vm's experimental hook (and it is lost with a code cache): the loader makes it
  const calls = body.match(/\bimport\("[^"]*"\)/g) ?? [];
  const dynamic = Object.values(result.metafile.outputs)[0].imports.filter((i) => i.kind === 'dynamic-import');
  if (calls.length !== dynamic.length)
    throw new Error(`${name}: ${calls.length} import("…") in the text, ${dynamic.length} dynamic imports`);
  return body;
}
