/**
 * What the connected ClickHouse can do, from `SELECT version()`. One code path serves ClickHouse 18.16
 * (Debian bookworm's server: no codecs, no LowCardinality by default, no DateTime64, no query parameters,
 * no `mutations_sync`) and the 26.x engine inside chDB.
 */
export interface ServerCaps {
  version: string;
  major: number;
  minor: number;
  /** column compression codecs `CODEC(Delta, ZSTD)` (19.x+; we require 20.1 to be safe) */
  codecs: boolean;
  /** `LowCardinality(String)` without the experimental switch (19.x+) */
  lowCardinality: boolean;
  /** `DateTime64(9, 'UTC')` (20.1+) */
  dateTime64: boolean;
  /** `{name:Type}` query parameters (19.11+) */
  queryParams: boolean;
  /**
   * data-skipping indexes incl. `bloom_filter` without the experimental switch (20.1+; 18.16 knows neither the
   * index syntax nor `allow_experimental_data_skipping_indices` — checked against Debian's 18.16.1)
   */
  skipIndexes: boolean;
  /** table `TTL` clauses and `ALTER TABLE … MODIFY TTL` (19.6+; 18.16 rejects the syntax; we require 20.1) */
  ttl: boolean;
}

export function parseServerVersion(version: string): ServerCaps {
  const m = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!m) throw new Error(`cannot read the ClickHouse version from ${JSON.stringify(version)}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const atLeast = (a: number, b: number): boolean => major > a || (major === a && minor >= b);
  return {
    version: version.trim(),
    major,
    minor,
    codecs: atLeast(20, 1),
    lowCardinality: atLeast(20, 1),
    dateTime64: atLeast(20, 1),
    queryParams: atLeast(19, 11),
    skipIndexes: atLeast(20, 1),
    ttl: atLeast(20, 1),
  };
}
