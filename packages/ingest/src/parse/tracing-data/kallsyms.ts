/**
 * /proc/kallsyms (embedded in trace.dat) → `sym+0xoff` for %pS arguments, as libtraceevent's
 * tep_find_function / print_str_arg do: the nearest symbol at or below the address.
 */
export interface Kallsyms {
  resolve(addr: bigint): string | undefined;
  size: number;
}

export function parseKallsyms(text: string): Kallsyms {
  const rows: { a: bigint; name: string }[] = [];
  for (const line of text.split('\n')) {
    const sp1 = line.indexOf(' ');
    if (sp1 <= 0) continue;
    const type = line[sp1 + 1];
    if (type === undefined || type === 'A' || type === 'a') continue; // absolute symbols are not code
    const rest = line.slice(sp1 + 3);
    const tab = rest.indexOf('\t');
    const name = tab >= 0 ? rest.slice(0, tab) : rest;
    const a = BigInt(`0x${line.slice(0, sp1)}`);
    if (a === 0n) continue;
    rows.push({ a, name });
  }
  rows.sort((x, y) => (x.a < y.a ? -1 : x.a > y.a ? 1 : 0));
  const addrs = new BigUint64Array(rows.map((r) => r.a));
  const names = rows.map((r) => r.name);
  return {
    size: rows.length,
    resolve(addr) {
      let lo = 0;
      let hi = addrs.length - 1;
      if (hi < 0 || addr < addrs[0]!) return undefined;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (addrs[mid]! <= addr) lo = mid;
        else hi = mid - 1;
      }
      const off = addr - addrs[lo]!;
      return off === 0n ? names[lo]! : `${names[lo]!}+0x${off.toString(16)}`;
    },
  };
}
