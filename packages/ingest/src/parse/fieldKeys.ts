/**
 * Numbers shared by the field parsers: the string parser (./fields.ts), the byte fast path (./fast.ts) and the
 * WebAssembly kernel (../../wasm/lines.ts, AssemblyScript, which imports this file: plain numeric constants only).
 * The column, key and `seen` flag ids are derived from the catalogue: ../table/catalogueIds.ts.
 */

/** Template token kinds (./fast.ts TplEntry). A `key=` token: the value follows the '='. */
export const TK_EQ = 0;
/** A bare word that is not a word key (`dequeue`, `qdisc`, `poll`): nothing follows. */
export const TK_WORD = 1;
/** A word key (`struct`, `device`, `work`, `reason:`): the next token is its value. */
export const TK_WORDKEY = 2;

/** Event ids (./fields.ts TX_EVENTS order) the parsers treat apart. */
export const EV_DQL_STALL_DETECTED = 7;
