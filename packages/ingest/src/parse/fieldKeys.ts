/**
 * Numbers shared by the field parsers: the string parser (./fields.ts), the byte fast path (./fast.ts) and the
 * WebAssembly kernel (../wasm/lines.ts, AssemblyScript, which imports this file: plain numeric constants only).
 */

/** `seen` flags: which fields a line carried (REQUIRED / WANTED tables in ./fields.ts). */
export const F_DEV = 1 << 0;
export const F_SKB = 1 << 1;
export const F_LEN = 1 << 2;
export const F_RC = 1 << 3;
export const F_QUEUE = 1 << 4;
export const F_DRIVER = 1 << 5;
export const F_IFINDEX = 1 << 6;
export const F_HANDLE = 1 << 7;
export const F_PARENT = 1 << 8;
export const F_TXQ = 1 << 9;
export const F_PACKETS = 1 << 10;
export const F_NAPI = 1 << 11;
export const F_STALL_LEN = 1 << 14;
export const F_JIFFIES = 1 << 15;

/** Key ids: the column a field key feeds (synonyms share one). */
export const K_NONE = 0;
export const K_DEV = 1;
export const K_SKBADDR = 3;
export const K_NAPI = 4;
export const K_LEN = 6;
export const K_RC = 7;
export const K_QUEUE = 8;
export const K_DRIVER = 11;
export const K_IFINDEX = 12;
export const K_HANDLE = 13;
export const K_PARENT = 14;
export const K_TXQ = 15;
export const K_PACKETS = 16;
export const K_WORK = 17;
export const K_BUDGET = 18;
export const K_REASON = 19;
export const K_LOCATION = 20;
export const K_NOW = 21;

/** Template token kinds (./fast.ts TplEntry). A `key=` token: the value follows the '='. */
export const TK_EQ = 0;
/** A bare word that is not a word key (`dequeue`, `qdisc`, `poll`): nothing follows. */
export const TK_WORD = 1;
/** A word key (`struct`, `device`, `work`, `reason:`): the next token is its value. */
export const TK_WORDKEY = 2;

/** Event ids (./fields.ts TX_EVENTS order) the parsers treat apart. */
export const EV_DQL_STALL_DETECTED = 7;
