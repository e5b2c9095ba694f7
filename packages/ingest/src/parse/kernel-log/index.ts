/**
 * Kernel-log reader for field evidence: dmesg / syslog / journal / RFC 5424 envelopes → KernelLines,
 * → TX-path records (NETDEV WATCHDOG, driver ring dumps, recovery, link, neighbour overflow),
 * → interpretTxHang() for a ring dump. Pure: text in, data out.
 */
export type {
  AppEnobufsRecord,
  DeviceRef,
  KernelLine,
  KernelLogShape,
  KernelRecord,
  KernelRecordKind,
  LinkChangeRecord,
  NeighOverflowRecord,
  RecordSpan,
  TxHangDumpRecord,
  TxRecoveryRecord,
  TxTimeoutDumpRecord,
  WatchdogTimeoutRecord,
} from './types.js';
export { looksLikeKernelLog, type KernelLogGuess } from './detect.js';
export { parseEnvelope, stripPastePrefix, type Envelope } from './envelope.js';
export { readKernelLines } from './reader.js';
export { parseKernelLog, recordsFromLines } from './records.js';
export { timeoutEvents, type RingRecord, type TimeoutEvent } from './events.js';
export { summarizeTimeouts, type TimeoutSeries } from './timeouts.js';
export { interpretTxHang, type TxHangCause, type TxHangInterpretation, type TxHangRepeats } from './interpret.js';
export { sameDevice as sameKernelLogDevice } from './device.js';
export { naiveWallUs, type NaiveWall } from './time.js';
