/**
 * When to retry an HTTP request to an inference server and how long to wait: 408/409/429/5xx,
 * timeouts, connection errors and unreadable bodies are retried; Retry-After (seconds, or
 * OpenAI's retry-after-ms) is honoured, else exponential backoff with full jitter.
 */
export interface RetryPolicy {
  /** Attempts after the first (default 6). */
  maxRetries: number;
  /** First backoff in ms (default 500); doubles per attempt. */
  baseDelayMs: number;
  /** Largest backoff in ms (default 30 s); a server's Retry-After may ask for more (up to 10 min). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 6, baseDelayMs: 500, maxDelayMs: 30_000 };

const MAX_RETRY_AFTER_MS = 600_000;

export const retryableStatus = (status: number): boolean => status === 408 || status === 409 || status === 429 || status >= 500;

/** The wait a response asks for, in ms, or null: `retry-after-ms`, else `retry-after` as seconds or an HTTP date. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const raw = headers.get('retry-after');
  if (raw === null) return null;
  const secs = Number.parseFloat(raw);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(secs * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(raw);
  return Number.isFinite(date) ? Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS) : null;
}

/** Backoff before retry number `attempt` (0-based): uniform in [0, min(max, base·2^attempt)] (full jitter). */
export function backoffMs(p: RetryPolicy, attempt: number, random = Math.random): number {
  return random() * Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** attempt);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
