import { ingestToArrow } from '@txreplay/ingest';
const t0 = performance.now();
const s = await ingestToArrow([process.argv[2]], '/tmp/prof-out.arrow', { workers: 0 });
console.error('ms', performance.now() - t0, s.events);
