/**
 * All ndo_tx_timeout dump matchers, specific formats first and the generic one-liner last.
 */
import { matchIwlwifiStuck } from './iwlwifi.js';
import { matchBnx2xPanic } from './bnx2x.js';
import { matchIpoibTimeout } from './ipoib.js';
import { matchSky2 } from './sky2.js';
import { matchTg3 } from './tg3.js';
import { matchHns3, matchIntelTimeout, matchMlx5, matchVirtio } from './timeoutDumps.js';
import { matchBnxt, matchEnaMissing, matchGeneric, matchMtk, matchPcnet } from './timeoutLegacy.js';

export const TX_TIMEOUT_MATCHERS = [
  matchIntelTimeout,
  matchMlx5,
  matchHns3,
  matchVirtio,
  matchPcnet,
  matchBnxt,
  matchEnaMissing,
  matchMtk,
  matchIpoibTimeout,
  matchTg3,
  matchSky2,
  matchBnx2xPanic,
  matchIwlwifiStuck,
  matchGeneric,
];
