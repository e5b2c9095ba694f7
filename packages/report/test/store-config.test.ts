/**
 * Where the store is, and that credentials never reach a message: URLs with user:password are redacted, and
 * an unreachable server fails, after retries, with one StoreError sentence that names it without the password.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  Store,
  StoreError,
  describeStore,
  redactUrl,
  resolveStoreConfig,
  retryFits,
} from '@txreplay/report';

describe('store configuration and failures', () => {
  const password = 'not-the-password-42';

  it('a retry starts only if it could end inside the 30 s budget: a hung server gets 2 attempts of 20 s, 2 of 10 s at connect', () => {
    const cfg = resolveStoreConfig({ clickhouseUrl: 'http://127.0.0.1:8123' }, {});
    expect(cfg.requestTimeoutMs).toBe(20_000);
    expect(cfg.connectTimeoutMs).toBe(10_000);
    const mid = { ...DEFAULT_RETRY, attemptTimeoutMs: cfg.requestTimeoutMs };
    // first failure at 0 (after 20 s of silence); retry 1 after 250 ms could end at 20.25 s: fits
    expect(retryFits(mid, 0, 250, 0)).toBe(true);
    // it failed at 20.25 s; retry 2 after 500 ms would end at 40.75 s: refused
    expect(retryFits(mid, 0, 500, 20_250)).toBe(false);
    const connect = { ...DEFAULT_RETRY, attemptTimeoutMs: cfg.connectTimeoutMs };
    expect(retryFits(connect, 0, 250, 10_000)).toBe(true);
    expect(retryFits(connect, 0, 500, 20_250)).toBe(false);
    // fast failures (refused) keep their 5 attempts: 250+500+1000+2000 ms of backoff
    expect(retryFits({ ...DEFAULT_RETRY, attemptTimeoutMs: 0 }, 0, 2000, 1750)).toBe(true);
  });

  it('a password inside the URL is moved out of it and never shown', () => {
    const url = `http://txreplay_test:${password}@127.0.0.1:8123`;
    expect(redactUrl(url)).not.toContain(password);
    const described = describeStore(resolveStoreConfig({ clickhouseUrl: url }, {}));
    expect(described).toContain('(user txreplay_test, password set)');
    expect(described).not.toContain(password);
  });

  it('an unreachable server fails with one sentence (StoreError), no password', async () => {
    // nothing listens on port 9 (discard) on 127.0.0.1 here: connection refused, retried, then one sentence
    const down = await Store.open(resolveStoreConfig({ clickhouseUrl: `http://u:${password}@127.0.0.1:9` }, {}), {
      retry: { attempts: 3, initialDelayMs: 50, maxDelayMs: 100 },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(down).toBeInstanceOf(StoreError);
    expect((down as Error).message).toMatch(
      /^could not reach the ClickHouse server http:\/\/127\.0\.0\.1:9 \(user u, password set\), database txreplay: .*ECONNREFUSED/,
    );
    expect((down as Error).message).not.toContain(password);
    expect((down as Error).message.split('\n')).toHaveLength(1);
  });
});
