/**
 * A store on a ClickHouse cluster (`--cluster NAME`): on every node the usual tables (MergeTree, migrated as on one
 * server) in database `<db>_local`, and in `<db>` a Distributed table over each of them, sharded by
 * cityHash64(run_id) — so one run lives on one shard and every fleet query (dashboards, `txreplay query`) reads
 * `<db>.<table>` across all shards. A writer sends a run straight to its shard's local tables (the shard the
 * Distributed engine would pick: cityHash64(run_id) modulo the shard count, shards weighted 1), so the run's
 * lock, leftover cleanup and the `runs` row written last all happen on one server, exactly as without a cluster.
 *
 * Tables are created node by node over HTTP (`nodeUrls`, in shard order); `ON CLUSTER` DDL would need
 * ZooKeeper/Keeper, which a plain two-server cluster (and the tests') does not have.
 */
import type { StoreConfig } from '../config.js';
import { TABLES, quoteIdent, quoteString } from '../ddl.js';
import type { Store } from '../store.js';

export interface ClusterOptions {
  /** the cluster's name in the servers' <remote_servers> */
  name: string;
  /** HTTP URL of each shard's server, in shard order (system.clusters shard_num 1, 2, …) */
  nodeUrls: string[];
}

function localDatabase(database: string): string {
  return `${database}_local`;
}

/** Shard count of `name` as the server sees it; an unknown cluster or a URL count that differs is an error. */
async function checkShards(entry: Store, cluster: ClusterOptions): Promise<void> {
  const rows = await entry.queryRows<{ n: string; w: string }>(
    `SELECT toString(uniqExact(shard_num)) AS n, toString(max(shard_weight)) AS w FROM system.clusters WHERE cluster = ${quoteString(cluster.name)}`,
  );
  const shards = Number(rows[0]?.n ?? 0);
  if (shards === 0)
    throw new Error(`the server ${entry.config.url} has no cluster named ${cluster.name} in <remote_servers>`);
  if (shards !== cluster.nodeUrls.length)
    throw new Error(
      `cluster ${cluster.name} has ${shards} shards but ${cluster.nodeUrls.length} node URLs were given (one per shard, in shard order)`,
    );
  if (Number(rows[0]?.w ?? 1) !== 1)
    throw new Error(`cluster ${cluster.name}: txreplay routes runs to shards weighted 1 only`);
}

/** `<db>.<t>` = Distributed over `<db>_local.<t>` on `node`; re-created when the local table gained columns. */
async function createDistributed(node: Store, database: string, cluster: string): Promise<void> {
  const local = localDatabase(database);
  await node.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(database)}`);
  for (const t of TABLES) {
    const dist = `${quoteIdent(database)}.${quoteIdent(t)}`;
    const counts = await node.queryRows<{ db: string; n: string }>(
      `SELECT database AS db, toString(count()) AS n FROM system.columns WHERE database IN (${quoteString(database)}, ${quoteString(local)}) AND table = ${quoteString(t)} GROUP BY database`,
    );
    const n = (db: string): number => Number(counts.find((c) => c.db === db)?.n ?? 0);
    if (n(database) === n(local)) continue;
    if (n(database) > 0) await node.command(`DROP TABLE IF EXISTS ${dist}`);
    await node.command(
      `CREATE TABLE IF NOT EXISTS ${dist} AS ${quoteIdent(local)}.${quoteIdent(t)} ENGINE = Distributed(${quoteIdent(cluster)}, ${quoteIdent(local)}, ${quoteIdent(t)}, cityHash64(run_id))`,
    );
  }
}

/**
 * Open every shard (migrating its local tables), create the Distributed tables on every shard and on the entry
 * server, and return the shard stores in shard order. `openOne` is Store.open without the cluster option.
 */
export async function openShards(
  config: StoreConfig,
  cluster: ClusterOptions,
  openOne: (c: StoreConfig) => Promise<Store>,
): Promise<Store[]> {
  const shards: Store[] = [];
  try {
    for (const url of cluster.nodeUrls)
      shards.push(await openOne({ ...config, url, database: localDatabase(config.database) }));
    await checkShards(shards[0]!, cluster);
    for (const s of shards) await createDistributed(s, config.database, cluster.name);
    return shards;
  } catch (err) {
    await Promise.all(shards.map((s) => s.close().catch(() => undefined)));
    throw err;
  }
}

/** Create the Distributed tables on the entry server too (it may be a node of the cluster or a query-only server). */
export async function prepareEntry(entry: Store, cluster: ClusterOptions): Promise<void> {
  await createDistributed(entry, entry.database, cluster.name);
}

/** The shard a run goes to: the one the Distributed tables' sharding key picks. */
export async function shardIndex(entry: Store, runId: string, shards: number): Promise<number> {
  const rows = await entry.queryRows<{ i: string }>(
    `SELECT toString(cityHash64(${quoteString(runId)}) % ${shards}) AS i`,
  );
  return Number(rows[0]?.i ?? 0);
}
