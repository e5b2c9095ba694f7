/**
 * Kernel-log reader for field evidence: dmesg / syslog / journal / RFC 5424 envelopes → KernelLines,
 * → TX-path records (NETDEV WATCHDOG, driver ring dumps, recovery, link, neighbour overflow),
 * → interpretTxHang() for a ring dump. Pure: text in, data out.
 */
export type {
  CpuStallRecord,
  DeviceLostRecord,
  IommuFaultRecord,
  KernelOopsRecord,
  VirtualMachineRecord,
  KernelRecord,
  LinkChangeRecord,
  MddEventRecord,
  NeighOverflowRecord,
  TxHangDumpRecord,
  TxRecoveryRecord,
  TxRingFullRecord,
  TxStallKickRecord,
  UsbTxErrorRecord,
  TxTimeoutDumpRecord,
  WatchdogTimeoutRecord,
} from './types.js';
export { looksLikeKernelLog } from './detect.js';
export { parseEnvelope, stripPastePrefix } from './envelope.js';
export { readKernelLines } from './reader.js';
export { parseKernelLog } from './records.js';
export { timeoutEvents } from './events.js';
export { isSeriesRecovery, summarizeTimeouts, type TimeoutSeries } from './timeouts.js';
export { interpretTxHang, type TxHangInterpretation } from './interpret.js';
export { sameDevice as sameKernelLogDevice } from './device.js';
export { naiveWallUs } from './time.js';
