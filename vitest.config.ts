import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const pkg = (name: string): string => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import sibling packages from source, so `vitest run` needs no build for the library code.
export default defineConfig({
  resolve: {
    alias: {
      // subpaths before their package (see below)
      '@txreplay/model/core': fileURLToPath(new URL('./packages/model/src/core/index.ts', import.meta.url)),
      '@txreplay/model': pkg('model'),
      '@txreplay/ingest/plain': fileURLToPath(new URL('./packages/ingest/src/plain.ts', import.meta.url)),
      '@txreplay/ingest': pkg('ingest'),
      '@txreplay/replay/plain': fileURLToPath(new URL('./packages/replay/src/plain.ts', import.meta.url)),
      '@txreplay/replay': pkg('replay'),
      // before '@txreplay/report': the first alias that matches wins, and that one matches the subpath too
      '@txreplay/report/postmortem': fileURLToPath(new URL('./packages/report/src/postmortem.ts', import.meta.url)),
      '@txreplay/report/bulk-start': fileURLToPath(
        new URL('./packages/report/src/fleet/bulk-start.ts', import.meta.url),
      ),
      '@txreplay/report': pkg('report'),
      '@txreplay/capture': pkg('capture'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
