// GENERATED from ./catalogue.ts by scripts/build-wasm.mjs (`pnpm build`): do not edit.
// Plain numeric constants: the AssemblyScript kernel (../../wasm/lines.ts) imports this file too.

export const N_COLUMNS = 28;
export const COL_TS_NS = 0;
export const COL_CPU = 1;
export const COL_PID = 2;
export const COL_COMM = 3;
export const COL_EVENT = 4;
export const COL_DEV = 5;
export const COL_IFINDEX = 6;
export const COL_NET_COOKIE = 7;
export const COL_QUEUE = 8;
export const COL_SKBADDR = 9;
export const COL_PTR_HASHED = 10;
export const COL_LEN = 11;
export const COL_RC = 12;
export const COL_NAPI = 13;
export const COL_WORK = 14;
export const COL_BUDGET = 15;
export const COL_TXQ_STATE = 16;
export const COL_PACKETS = 17;
export const COL_HANDLE = 18;
export const COL_PARENT = 19;
export const COL_DRIVER = 20;
export const COL_REASON = 21;
export const COL_LOCATION = 22;
export const COL_STALL_LEN = 23;
export const COL_JIFFIES = 24;
export const COL_RAW = 25;
export const COL_SOURCE = 26;
export const COL_LINE = 27;

/** key ids: the column a text key feeds (0: not a key) */
export const K_NONE = 0;
export const K_DEV = 6;
export const K_IFINDEX = 7;
export const K_NET_COOKIE = 8;
export const K_QUEUE = 9;
export const K_SKBADDR = 10;
export const K_LEN = 12;
export const K_RC = 13;
export const K_NAPI = 14;
export const K_WORK = 15;
export const K_BUDGET = 16;
export const K_TXQ_STATE = 17;
export const K_PACKETS = 18;
export const K_HANDLE = 19;
export const K_PARENT = 20;
export const K_DRIVER = 21;
export const K_REASON = 22;
export const K_LOCATION = 23;
export const K_JIFFIES = 25;

/** `seen` flags of the fields some tracepoint requires */
export const F_DEV = 1;
export const F_QUEUE = 2;
export const F_SKBADDR = 4;
export const F_LEN = 8;
export const F_RC = 16;
export const F_NAPI = 32;
export const F_TXQ_STATE = 64;
export const F_PACKETS = 128;
export const F_DRIVER = 256;
export const F_STALL_LEN = 512;
export const F_JIFFIES = 1024;

/** required `seen` flags per event (TX_EVENTS order) */
export const REQUIRED_0 = 13; // net:net_dev_queue
export const REQUIRED_1 = 15; // net:net_dev_start_xmit
export const REQUIRED_2 = 29; // net:net_dev_xmit
export const REQUIRED_3 = 259; // net:net_dev_xmit_timeout
export const REQUIRED_4 = 4; // qdisc:qdisc_enqueue
export const REQUIRED_5 = 196; // qdisc:qdisc_dequeue
export const REQUIRED_6 = 33; // napi:napi_poll
export const REQUIRED_7 = 1536; // napi:dql_stall_detected
export const REQUIRED_8 = 4; // skb:consume_skb
export const REQUIRED_9 = 4; // skb:kfree_skb
