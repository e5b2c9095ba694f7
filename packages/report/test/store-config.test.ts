/**
 * Where the store is, and that credentials never reach a message: URLs with user:password are redacted, and
 * an unreachable server fails, after retries, with one StoreError sentence that names it without the password.
 */
import { describe, expect, it } from 'vitest';
import { Store, StoreError, describeStore, redactUrl, resolveStoreConfig } from '@txreplay/report';

describe('store configuration and failures', () => {
  const password = 'not-the-password-42';

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
