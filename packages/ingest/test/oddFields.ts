/**
 * net_dev_xmit field texts at the edges of the WebAssembly kernel (wasm/lines.ts; once the four-byte key compare of the retired byte fast path, the
 * fused pointer and number parsers) that must fall back to the string parser or parse the same: shared by the
 * worker (parallel.test.ts) and WebAssembly (wasm.test.ts) tests, each adding its own.
 */
export const ODD_XMIT_FIELDS: readonly string[] = [
  'devx=1 dev= =5 skbaddr=0XFFFF888000000001 len 90 rc=1',
  'dev=vs1\tskbaddr=0xffff888000000002\tlen=7\trc=-0',
  'dev=vs1 skbaddr=0x len=1 rc=0',
  'dev=vs1 skbaddr=0xffff88800000000000 len=1 rc=0',
  'dev=vs1 skbaddr=(nil) len=4294967295 rc=0',
  'dev=vs1 skbaddr=0xffff888000000003 len=4294967296 rc=0',
  'dev=vs1 skbaddr=0xffff888000000003 len=12a rc=0',
];
