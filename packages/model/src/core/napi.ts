/**
 * NAPI instance state (§F): weight (= budget printed by napi_poll), the SCHED bit, and per-instance counters.
 * The poll function itself is the driver's (driver/tx-queue.ts `poll`); the simulator schedules and accounts.
 *
 * Rules modelled:
 * - napi_schedule only when not already scheduled (NAPI_STATE_SCHED test-and-set).
 * - A poll that returns work == weight stays scheduled and is polled again; work < weight means the driver called
 *   napi_complete_done and re-enabled its interrupt (§F).
 * - TX work accounting per driver (§F): igb counts RX only (TX-only poll: 0, or weight when TX cleaning did not
 *   finish); virtio_net TX poll always 0; macb and generic count completed packets.
 */
export class NapiInstance {
  /** NAPI_STATE_SCHED */
  scheduled = false;
  polls = 0;
  /** polls that returned work == weight (stayed scheduled) */
  repolls = 0;
  lastWork = 0;

  constructor(
    readonly weight: number,
    /** stable fake `struct napi_struct *` low bits for the trace */
    readonly addrLo: number,
  ) {}

  /** napi_schedule_prep: true if this call set SCHED (caller must then queue the poll) */
  schedulePrep(): boolean {
    if (this.scheduled) return false;
    this.scheduled = true;
    return true;
  }

  /** account one poll; returns true if it stays scheduled (work == weight) */
  afterPoll(work: number): boolean {
    this.polls++;
    this.lastWork = work;
    if (work >= this.weight) {
      this.repolls++;
      return true;
    }
    this.scheduled = false;
    return false;
  }
}
