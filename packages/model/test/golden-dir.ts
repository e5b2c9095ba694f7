import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (…/packages/model/test → …). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Shared material: $TXREPLAY_SHARED or <repo>/../shared. */
export const sharedDir = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');

/** DQL golden vectors: $TXREPLAY_GOLDEN_DQL or <shared>/golden/dql. */
export const goldenDqlDir = process.env.TXREPLAY_GOLDEN_DQL ?? path.join(sharedDir, 'golden', 'dql');

/** What the bounded UDP sender of a real capture (a shared/traces/<name> directory) reported: its sender.json. */
export function senderResult(traceDir: string): { ok: number; enobufs: number; attempted: number } {
  return JSON.parse(readFileSync(path.join(traceDir, 'sender.json'), 'utf8')) as {
    ok: number;
    enobufs: number;
    attempted: number;
  };
}
