/**
 * Numbers shared by the field parsers: the string parser (./fields.ts), the field templates (./template.ts) and the
 * WebAssembly kernel (../../wasm/lines.ts, AssemblyScript, which imports this file: plain numeric constants only).
 * The column, key and `seen` flag ids are derived from the catalogue: ../table/catalogueIds.ts.
 */

/** Template token kinds (./template.ts). A `key=` token: the value follows the '='. */
export const TK_EQ = 0;
/** A bare word that is not a word key (`dequeue`, `qdisc`, `poll`): nothing follows. */
export const TK_WORD = 1;
/** A word key (`struct`, `device`, `work`, `reason:`): the next token is its value. */
export const TK_WORDKEY = 2;

/** Event ids (./fields.ts TX_EVENTS order) the parsers treat apart. */
export const EV_DQL_STALL_DETECTED = 7;

/**
 * Ranges of the kernel types the text fields print, checked at parse time (a value outside is rejected, never
 * wrapped): pid_t is s32 (include/linux/types.h), the `cpu` column int16 (smp_processor_id() fits: NR_CPUS is at
 * most 8192), skb->queue_mapping u16 (include/linux/skbuff.h), rc/ifindex/work/budget/packets s32.
 */
export const PID_MAX = 2147483647;
export const CPU_MAX = 32767;
export const QUEUE_MAX = 65535;
export const I32_MIN = -2147483648;
export const I32_MAX = 2147483647;
