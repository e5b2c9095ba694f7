import { DuckDBInstance } from '@duckdb/node-api';
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const r = await c.runAndReadAll(`SELECT count(*) AS n, sum(ts_ns) AS s FROM read_parquet('/tmp/out-tmp/t/mq.parquet')`);
console.log(r.getRowObjects());
try {
  const a = await c.runAndReadAll(`SELECT count(*) FROM read_arrow('/tmp/out-tmp/t/mq.arrow')`);
  console.log(a.getRowObjects());
} catch (e) {
  console.log('arrow:', e.message.slice(0, 200));
}
try {
  await c.run(`LOAD arrow`);
  console.log('arrow ext loaded');
} catch (e) {
  console.log('load:', e.message.slice(0, 200));
}
try {
  await c.run(`INSTALL arrow FROM community; LOAD arrow`);
  const a = await c.runAndReadAll(`SELECT count(*) AS n FROM read_arrow('/tmp/out-tmp/t/multi.arrow')`);
  console.log(a.getRowObjects());
} catch (e) {
  console.log('install:', e.message.slice(0, 300));
}
