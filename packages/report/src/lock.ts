/**
 * A named lock shared by every writer of one database, on any ClickHouse version: `CREATE TABLE <db>._lock_<name>`
 * without IF NOT EXISTS succeeds for exactly one caller (the server serializes DDL on one table name), and the
 * owner (host, pid, token, since) is in the table's column DEFAULT, so it is written atomically with the lock.
 * ClickHouse has no compare-and-set on rows and 18.16 has no insert deduplication outside ReplicatedMergeTree,
 * so this is the one primitive that makes "check whether run X exists, then write it" safe across processes.
 *
 * A lock whose owner is gone is stale and taken over: same host and the pid no longer runs, or older than
 * `staleMs` (a writer on another host that crashed). Release is DROP TABLE. A writer whose work failed and could
 * not remove what it wrote keeps the lock (keepOnError), so the next holder knows to look for leftovers. The
 * embedded store is one process's alone, so its locks are in memory (withProcessLock).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { quoteIdent, quoteString } from './ddl.js';
import { errorMessage } from './retry.js';
import type { Store } from './store.js';

interface LockOwner {
  token: string;
  host: string;
  pid: number;
  sinceMs: number;
}

/** This process: a lock it took before (an earlier attempt of the same write) is its own. */
const SELF: Omit<LockOwner, 'sinceMs'> = {
  token: randomBytes(8).toString('hex'),
  host: hostname(),
  pid: process.pid,
};

export interface LockOptions {
  /** a lock older than this is taken over (default 30 min: longer than any single run write) */
  staleMs?: number;
  pollMs?: number;
  /** told once when the lock is held by someone else */
  onWait?: (owner: string) => void;
  /** `work` failed: true keeps the lock (held until stale, or taken back by this process) */
  keepOnError?: (err: unknown) => Promise<boolean>;
}

function lockTable(store: Store, name: string): string {
  return `${quoteIdent(store.database)}.${quoteIdent(`_lock_${name}`)}`;
}

const ALREADY_EXISTS = /Code: 57\b|already exists/i;

async function tryCreate(store: Store, name: string): Promise<boolean> {
  const owner = JSON.stringify({ ...SELF, sinceMs: Date.now() });
  try {
    await store.command(
      `CREATE TABLE ${lockTable(store, name)} (owner String DEFAULT ${quoteString(owner)}) ENGINE = Memory`,
    );
    return true;
  } catch (err) {
    if (ALREADY_EXISTS.test(errorMessage(err))) return false;
    throw err;
  }
}

/** The owner written in the lock's DEFAULT, or null when the lock is gone. */
async function readOwner(store: Store, name: string): Promise<LockOwner | null> {
  const rows = await store.queryRows<{ d: string }>(
    `SELECT default_expression AS d FROM system.columns WHERE database = ${quoteString(store.database)} AND table = ${quoteString(`_lock_${name}`)} AND name = 'owner'`,
  );
  const literal = rows[0]?.d;
  if (!literal) return null;
  // a ClickHouse string literal: '…' with backslash escapes
  const text = literal.replace(/^'|'$/g, '').replace(/\\(.)/g, '$1');
  try {
    return JSON.parse(text) as LockOwner;
  } catch {
    return { token: '', host: '', pid: 0, sinceMs: 0 };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(o: LockOwner, staleMs: number): boolean {
  if (o.host === SELF.host && o.pid !== SELF.pid && !pidAlive(o.pid)) return true;
  return Date.now() - o.sinceMs > staleMs;
}

async function release(store: Store, name: string): Promise<void> {
  await store.command(`DROP TABLE IF EXISTS ${lockTable(store, name)}`);
}

/** Embedded locks of this process: the holder's promise per store and name, and the names kept by a failed holder. */
const processLocks = new Map<string, Promise<void>>();
const keptLocks = new Set<string>();

/**
 * The embedded placement's lock: chDB holds its data directory for one process (a second one cannot open it:
 * "Cannot lock file …/status"), so only this process's writers need ordering — in memory, without the two DDL
 * statements of a lock table per run.
 */
async function withProcessLock<T>(
  store: Store,
  name: string,
  work: (fresh: boolean) => Promise<T>,
  opts: LockOptions,
): Promise<T> {
  const key = `${store.config.dbDir ?? ''}\0${store.database}\0${name}`;
  const prev = processLocks.get(key) ?? Promise.resolve();
  let release = (): void => undefined;
  const held = prev.then(() => new Promise<void>((r) => (release = r)));
  processLocks.set(key, held);
  await prev;
  const fresh = !keptLocks.delete(key);
  try {
    return await work(fresh);
  } catch (err) {
    if ((await opts.keepOnError?.(err).catch(() => true)) ?? false) keptLocks.add(key);
    throw err;
  } finally {
    release();
    if (processLocks.get(key) === held) processLocks.delete(key);
  }
}

/**
 * Run `work` holding lock `name`. While another live writer holds it, `settled()` is polled: when it returns a
 * value (e.g. the run that writer was writing now exists) that value is returned without taking the lock.
 */
export async function withLock<T>(
  store: Store,
  name: string,
  work: (fresh: boolean) => Promise<T>,
  settled: () => Promise<T | undefined>,
  opts: LockOptions = {},
): Promise<T> {
  if (store.config.placement === 'embedded') return withProcessLock(store, name, work, opts);
  const staleMs = opts.staleMs ?? 30 * 60_000;
  let told = false;
  // fresh: the lock was free (no writer of it failed without cleaning up: see keepOnError)
  let fresh = true;
  for (;;) {
    if (await tryCreate(store, name)) break;
    const owner = await readOwner(store, name);
    if (owner === null) continue; // released between our CREATE and the look
    fresh = false;
    if (owner.token === SELF.token) break; // ours, left by an earlier attempt of this process
    if (isStale(owner, staleMs)) {
      await release(store, name);
      continue;
    }
    if (!told) opts.onWait?.(`${owner.host} pid ${owner.pid}`);
    told = true;
    const v = await settled();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
  }
  let keep = false;
  try {
    return await work(fresh);
  } catch (err) {
    // a failed write that could not clean up after itself keeps the lock: the next holder is told (fresh = false)
    keep = (await opts.keepOnError?.(err).catch(() => true)) ?? false;
    throw err;
  } finally {
    if (!keep) await release(store, name).catch(() => undefined);
  }
}
