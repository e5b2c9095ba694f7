import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (…/packages/model/test → …). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Shared material: $TXREPLAY_SHARED or <repo>/../shared. */
export const sharedDir = process.env.TXREPLAY_SHARED ?? path.resolve(repoRoot, '../shared');

/** DQL golden vectors: $TXREPLAY_GOLDEN_DQL or <shared>/golden/dql. */
export const goldenDqlDir = process.env.TXREPLAY_GOLDEN_DQL ?? path.join(sharedDir, 'golden', 'dql');
