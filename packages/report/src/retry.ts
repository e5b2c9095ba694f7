/**
 * Retry with exponential backoff for transient ClickHouse failures (connection refused/reset, socket hang
 * up, timeouts, a server restarting). Errors the server answered with (syntax, types) are not retried. Only
 * idempotent requests go through here: reads, `CREATE … IF NOT EXISTS`, the version probe; inserts are not
 * retried one by one (the run writer retries a whole run: drop its partition, write it again).
 */
export interface RetryPolicy {
  /** total attempts, including the first */
  attempts: number;
  /** delay before the 2nd attempt; doubles each time */
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * retries end this long after the first attempt began (withRetry) or the first failure (the run writer): a
   * retry starts only when it could end inside this window, counting `attemptTimeoutMs` for it, so a hung
   * server fails in bounded time
   */
  maxElapsedMs?: number;
  /** the longest one attempt can wait for an answer (the connect or request time limit; 0/undefined: unknown) */
  attemptTimeoutMs?: number;
  /** told before each retry (the CLI shows it on stderr) */
  onRetry?: (attempt: number, err: unknown, delayMs: number) => void;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 250, maxDelayMs: 4000, maxElapsedMs: 30_000 };

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
]);

/** True for network-level failures worth retrying. */
export function isTransient(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (typeof e !== 'object') break;
    const o = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && TRANSIENT_CODES.has(o.code)) return true;
    const msg = typeof o.message === 'string' ? o.message : '';
    if (/socket hang up|ECONNRESET|ECONNREFUSED|EPIPE|Timeout error|timed out|other side closed|aborted/i.test(msg))
      return true;
    // server-side: too many simultaneous queries / shutting down (ClickHouse codes 202, 210 NETWORK_ERROR)
    if (/Code: (202|210|209|394)\b/.test(msg)) return true;
    e = o.cause;
  }
  return false;
}

export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  onRetry: RetryPolicy['onRetry'] = policy.onRetry,
): Promise<T> {
  let delay = policy.initialDelayMs;
  const start = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.attempts || !isTransient(err)) throw err;
      if (!retryFits(policy, start, delay)) throw err;
      onRetry?.(attempt, err, delay);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(policy.maxDelayMs, delay * 2);
    }
  }
}

/**
 * Whether a retry that starts after `delayMs` could still end (answer or time out after `attemptTimeoutMs`)
 * within `maxElapsedMs` of `sinceMs`: the bound that makes a server that accepts and never answers fail
 * within a minute (2 attempts of the 20 s request limit inside the 30 s budget).
 */
export function retryFits(policy: RetryPolicy, sinceMs: number, delayMs: number, nowMs = Date.now()): boolean {
  if (policy.maxElapsedMs === undefined) return true;
  return nowMs + delayMs + (policy.attemptTimeoutMs ?? 0) - sinceMs <= policy.maxElapsedMs;
}

/** No answer in time: a transient failure (retried within the budget) whose message says how long was waited. */
class NoAnswerError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number, flag: string) {
    super(`no answer within ${ms} ms (${flag})`);
    this.name = 'NoAnswerError';
  }
}

/**
 * Run `fn` with a signal that aborts after `ms` (undefined: no limit); an abort caused by the limit is
 * reported as "no answer within <ms> ms (<flag>)".
 */
export async function withDeadline<T>(
  ms: number | undefined,
  flag: string,
  fn: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (ms === undefined) return fn(undefined);
  const signal = AbortSignal.timeout(ms);
  try {
    return await fn(signal);
  } catch (err) {
    if (signal.aborted) throw new NoAnswerError(ms, flag);
    throw err;
  }
}

/**
 * The failure of a request for a person: the client's idle-socket timeout ("Timeout error.") says how long
 * nothing came back and which flag sets it.
 */
export function failureText(err: unknown, requestTimeoutMs: number | undefined): string {
  const m = errorMessage(err);
  if (requestTimeoutMs !== undefined && /^Timeout error\.?$/.test(m))
    return `no answer within ${requestTimeoutMs} ms (--timeout-ms)`;
  return m;
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const m = err.message.split('\n')[0] ?? err.message;
    return m.replace(/, e\.what\(\) = DB::Exception$/, '');
  }
  return String(err);
}
