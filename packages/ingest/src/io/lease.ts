/**
 * Batches a consumer may keep past its onBatch. A batch whose buffers go back to a pool once written (a parse
 * worker's SharedArrayBuffers, this thread's BufferPool: ../table/rows.ts) is leased while onBatch runs; a consumer
 * that keeps it (streamEvents' `keep`, replay's streamed diagnose holding a window of batches) takes the lease, and
 * the buffers go back only when it lets go — instead of being copied by it (a 1 GB streamed diagnose copied ~6 GB
 * of columns, a tenth of its main thread). A batch that was not leased cannot be kept this way: its consumer copies.
 */

interface Lease {
  kept: boolean;
  /** give the buffers back to their pool */
  give: () => void;
}

const leases = new WeakMap<object, Lease>();

/**
 * Keep `batch` past onBatch: the release to call once nothing reads its buffers any more (its buffers stay out of
 * their pool until then), or null when the batch cannot be kept (not leased, or already kept): copy what you keep.
 */
export function keepBatch(batch: object): (() => void) | null {
  const lease = leases.get(batch);
  if (lease === undefined || lease.kept) return null;
  lease.kept = true;
  let given = false;
  return () => {
    if (given) return;
    given = true;
    lease.give();
  };
}

/** Hand `batch` to `onBatch`; `give` returns its buffers when onBatch is done, or later, when a keeper lets go. */
export async function leased<B>(batch: B, onBatch: (b: B) => void | Promise<void>, give: () => void): Promise<void> {
  // a batch is an object (a RecordBatch, or plain buffers): the key of its lease
  const key = batch as object;
  const lease: Lease = { kept: false, give };
  leases.set(key, lease);
  try {
    await onBatch(batch);
  } finally {
    leases.delete(key);
  }
  if (!lease.kept) give();
}
