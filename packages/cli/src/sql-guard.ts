/**
 * `txreplay query` reads: a statement that would change the store (INSERT, ALTER, DROP, CREATE, …) or more
 * than one statement is refused before anything runs (exit 2), instead of running and then failing to print
 * a result. The first keyword decides, after comments and opening parentheses.
 */
const READING = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXPLAIN', 'EXISTS']);

/** The SQL with comments and string/identifier literals blanked out, so keywords and `;` are found reliably. */
function blankLiterals(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? sql.length : end;
      out += ' ';
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < sql.length && sql[j] !== c) j += sql[j] === '\\' ? 2 : 1;
      i = j + 1;
      out += ' x ';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Why the statement is refused, or null when it only reads. */
export function refuseNonReading(sql: string): string | null {
  const bare = blankLiterals(sql).trim().replace(/;\s*$/, '');
  if (bare.includes(';')) return 'query runs one statement; remove the ";" between statements';
  const first = /^[\s(]*([A-Za-z]+)/.exec(bare)?.[1]?.toUpperCase();
  if (first === undefined) return 'query: no SQL statement given';
  if (!READING.has(first))
    return `query only reads (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN, EXISTS); ${first} would change the store and was not run`;
  return null;
}
