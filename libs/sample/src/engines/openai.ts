/**
 * The `openai` sampling engine: any OpenAI-compatible server (vLLM, SGLang, llama.cpp's server, TGI,
 * `sieve serve-model`). Plain prompts go to /v1/completions, chat prompts to /v1/chat/completions.
 *
 * A request with per-sample seeds becomes one HTTP request per sample (n = 1, seed = that sample's
 * seed), so any sample can be regenerated alone and a retried request can never duplicate another
 * sample; without them, one HTTP request asks for all n. Failed attempts are retried (see retry.ts)
 * on any of the base URLs. Written on fetch rather than the `openai` npm client: that client is a
 * dev dependency here, its backoff base is fixed (≥ 0.5 s) and it does not retry a truncated body.
 *
 * The API key is read from the environment variable named in the options when the engine opens and
 * kept in a closure: it is never in the options, the fingerprint, an error or a log line.
 */
import { InputError, SieveError } from '@sieve/core';
import { checkSamplingRequest, seedsOf, type EngineSample, type SamplingEngine, type SamplingRequest } from './engine';
import { EndpointPool, type Endpoint } from './endpoint-pool';
import { parseResponse, requestBody } from './openai-wire';
import { backoffMs, DEFAULT_RETRY, retryableStatus, retryAfterMs, sleep, type RetryPolicy } from './retry';

export interface OpenAIEngineOptions {
  /** One or more base URLs (each up to /v1) with a concurrency limit each. */
  endpoints: readonly Endpoint[];
  /** The model name the server serves (its `/v1/models` id). */
  model: string;
  /** Name of the environment variable holding the API key (e.g. OPENAI_API_KEY); none = no Authorization header. */
  apiKeyEnv?: string;
  /** Fields added to every request body, e.g. `{ min_p: 0.05 }` (part of the fingerprint). */
  extra?: Record<string, unknown>;
  retry?: Partial<RetryPolicy>;
  /** Per attempt, in ms (default 10 min). */
  timeoutMs?: number;
  /** Check the model at open with GET /v1/models (default true). */
  checkModel?: boolean;
}

export interface OpenAISamplingEngine extends SamplingEngine {
  /** HTTP attempts per base URL so far (retries included). */
  attempts(): Record<string, number>;
  /** Requests in flight at most, over every base URL (the sum of their concurrency limits). */
  slots(): number;
}

/** A failed attempt: retryable or not, with what the server said. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly waitMs: number | null = null,
  ) {
    super(message);
  }
}

/** The server's error message from an OpenAI-style body, or the body's start. */
function serverMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof j.error === 'string' ? j.error : (j.error?.message ?? j.message);
    if (typeof m === 'string') return m;
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 300);
}

export async function openOpenAIEngine(o: OpenAIEngineOptions): Promise<OpenAISamplingEngine> {
  if (o.endpoints.length === 0) throw new InputError('the openai engine needs at least one base URL', { where: 'engine.endpoints', hint: 'e.g. [{"baseUrl": "http://127.0.0.1:8000/v1"}]' });
  for (const e of o.endpoints) {
    if (!/^https?:\/\//.test(e.baseUrl)) throw new InputError(`not an http(s) URL: ${e.baseUrl}`, { where: 'engine.endpoints', hint: 'e.g. http://127.0.0.1:8000/v1' });
    if (e.concurrency !== undefined && (!Number.isInteger(e.concurrency) || e.concurrency < 1)) throw new InputError(`concurrency must be an integer ≥ 1, got ${e.concurrency}`, { where: `engine.endpoints ${e.baseUrl}` });
  }
  let apiKey: string | null = null;
  if (o.apiKeyEnv !== undefined) {
    apiKey = process.env[o.apiKeyEnv] ?? null;
    if (!apiKey) throw new InputError(`the environment variable ${o.apiKeyEnv} is not set`, { where: 'engine.apiKeyEnv', hint: `export ${o.apiKeyEnv}=… with the server's API key` });
  }
  const retry: RetryPolicy = { ...DEFAULT_RETRY, ...o.retry };
  const timeoutMs = o.timeoutMs ?? 600_000;
  const extra = o.extra ?? {};
  const pool = new EndpointPool(o.endpoints);
  const headers = (): Record<string, string> => ({ 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) });
  let reportedModel: string | null = null;
  let contextLength: number | null = null;
  let closed = false;

  /** One attempt on one base URL (requests of one `affinity` key kept together): the parsed JSON, or an AttemptError. */
  const attempt = async (method: 'GET' | 'POST', path: string, body: unknown, affinity?: string): Promise<unknown> => {
    const baseUrl = await pool.acquire(affinity);
    const url = `${baseUrl}${path}`;
    try {
      let res: Response;
      try {
        res = await fetch(url, { method, headers: headers(), signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        const why = err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${err.message}${err.cause ? ` (${err.cause.code ?? err.cause.message})` : ''}`;
        throw new AttemptError(`${method} ${url}: ${why}`, true);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (e) {
        throw new AttemptError(`${method} ${url}: the response body broke off (${(e as Error).message})`, true);
      }
      if (!res.ok) throw new AttemptError(`${method} ${url}: HTTP ${res.status}: ${serverMessage(text)}`, retryableStatus(res.status), retryAfterMs(res.headers));
      try {
        return JSON.parse(text);
      } catch {
        throw new AttemptError(`${method} ${url}: the response is not complete JSON (${text.length} bytes)`, true);
      }
    } finally {
      pool.release(baseUrl, affinity);
    }
  };

  /** Retries an operation (attempt + parse) until it succeeds, fails for good, or runs out of retries. */
  const withRetries = async <T>(what: string, op: () => Promise<T>): Promise<T> => {
    for (let n = 0; ; n++) {
      if (closed) throw new SieveError('the openai engine was closed while requests were running');
      try {
        return await op();
      } catch (e) {
        const err = e instanceof AttemptError ? e : new AttemptError((e as Error).message, true); // a malformed response: retry
        if (!err.retryable || n >= retry.maxRetries) {
          throw new SieveError(`${what} failed${err.retryable ? ` after ${n + 1} attempts` : ''}: ${err.message}`, {
            hint: err.retryable ? 'check the server is up and not overloaded; raise the retry budget or lower the concurrency' : 'the server refused the request: check the model name, the API key and the settings',
            cause: e,
          });
        }
        await sleep(err.waitMs ?? backoffMs(retry, n));
      }
    }
  };

  if (o.checkModel ?? true) {
    const list = await withRetries(`listing the models of ${o.endpoints[0]?.baseUrl}`, () => attempt('GET', '/models', undefined));
    const data = ((list as { data?: { id?: unknown; max_model_len?: unknown }[] }).data ?? []).filter((m) => typeof m.id === 'string');
    const found = data.find((m) => m.id === o.model);
    if (!found) {
      throw new InputError(`the server does not serve a model named "${o.model}"`, { where: 'engine.model', hint: `it serves: ${data.map((m) => String(m.id)).join(', ') || 'nothing listed'}` });
    }
    reportedModel = o.model;
    if (typeof found.max_model_len === 'number') contextLength = found.max_model_len;
  }

  /** The n samples of one HTTP request (n and seed given). */
  const call = async (r: SamplingRequest, n: number, seed: number): Promise<EngineSample[]> => {
    const chat = 'messages' in r.prompt;
    const body = requestBody(o.model, r, n, seed, extra);
    const affinity = JSON.stringify(r.prompt); // the samples of one prompt to one replica
    return withRetries(`sampling ${n} from ${o.model}`, async () => {
      const json = await attempt('POST', chat ? '/chat/completions' : '/completions', body, affinity);
      const { samples, model } = parseResponse(json, chat, n);
      if (model) reportedModel = model;
      return samples;
    });
  };

  return {
    kind: 'openai',
    get model() {
      return reportedModel ?? o.model;
    },
    get contextLength() {
      return contextLength;
    },
    fingerprint: () => ({ engine: 'openai', model: o.model, extra }),
    attempts: () => pool.counts(),
    slots: () => o.endpoints.reduce((n, e) => n + (e.concurrency ?? 8), 0),
    async generate(requests) {
      requests.forEach((r, i) => checkSamplingRequest(r, `request ${i}`));
      return Promise.all(
        requests.map(async (r) => {
          if (!r.seeds) return call(r, r.n, r.seed);
          const seeds = seedsOf(r);
          return (await Promise.all(seeds.map((s) => call(r, 1, s)))).map((x) => x[0] as EngineSample);
        }),
      );
    },
    async close() {
      closed = true;
    },
  };
}
