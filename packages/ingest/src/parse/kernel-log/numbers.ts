/**
 * Numbers as drivers print them: `0x1d2` / `<1d2>` hex, `123` decimal, in `KEY: value, KEY: value` lists.
 */

export function hex(s: string): bigint {
  return BigInt('0x' + s.replace(/^0x/i, ''));
}

/** `0x…` is hex, bare digits decimal (printk %d / %u / %llu). */
function num(s: string): bigint {
  return /^0x/i.test(s) ? hex(s) : BigInt(s);
}

/** A bigint that fits a JS number exactly, else undefined (ring indexes and counters always do). */
export function small(v: bigint | undefined): number | undefined {
  return v !== undefined && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

/**
 * Every `KEY: value` in a message, in order: `NTC: 0x1d2, HWB: 0x1d2`, `SQ Cons: 0x10 SQ Prod: 0x20`,
 * `tx_timeout count: 1, queue id: 2`. Keys are trimmed; values `0x…` hex, else decimal.
 */
export function keyValues(message: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  const re = /([A-Za-z_][\w .\[\]-]*?)\s*[:=]\s*(0x[0-9a-fA-F]+|\d+)\b/g;
  for (let m = re.exec(message); m; m = re.exec(message)) {
    const key = m[1]!.replace(/^[\s,]+/, '').trim();
    out.set(key, num(m[2]!));
  }
  return out;
}

export function fieldsOf(kv: Map<string, bigint>): Record<string, bigint> {
  return Object.fromEntries(kv);
}

/** A ring index as the drivers print it: `0x1a0`. */
export const hexOf = (n: number): string => '0x' + n.toString(16);
