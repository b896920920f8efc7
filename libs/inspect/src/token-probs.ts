import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SieveError } from '@sieve/core';
import type { LoadedCheckpoint, ModelPrompt, Tokenizer } from '@sieve/model';
import type { Store } from '@sieve/store';
import type { ResponseEnd, ScoredToken } from './token-forward';
import { Lru } from './lru';

type Forward = typeof import('./token-forward');
let forwardModule: Promise<Forward> | null = null;
const forward = (): Promise<Forward> => (forwardModule ??= import('./token-forward'));

/** A checkpoint folder of the store, resolved inside the run folder (symlinks followed); anything else is refused. */
export function checkpointDir(runDir: string, modelPath: string): string {
  const root = realpathSync(runDir);
  const inside = (p: string): boolean => {
    const rel = relative(root, p);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
  };
  const refuse = (): SieveError =>
    new SieveError(`checkpoint ${modelPath} lies outside the run folder: the viewer reads files inside the run folder only`, {
      where: modelPath,
      hint: 'copy or import the checkpoint into the run folder (models/<id>/)',
    });
  const target = resolve(root, modelPath);
  if (!inside(target)) throw refuse();
  let real: string;
  try {
    real = realpathSync(target);
  } catch (cause) {
    throw new SieveError(`checkpoint folder ${modelPath} does not exist`, { where: target, hint: 're-run the stage that writes this model', cause });
  }
  if (!inside(real)) throw refuse(); // a symlink inside pointing out
  return real;
}

export interface TokenProbs {
  modelId: string;
  tokens: ScoredToken[];
  /** Mean p over the scored tokens. */
  meanP: number | null;
  /** Sum of log p over the scored tokens. */
  sumLogP: number;
  scored: number;
}

export interface SampleForScoring {
  id: number;
  /** The prompt as its run's format gave it to the model: text (plain) or chat messages. */
  prompt: ModelPrompt;
  response: string;
  /** A sample that stopped on its end token (EOS, or the chat template's end of turn): a token it generated, scored too. */
  withEos: boolean;
}

/**
 * p(y_t) of a sample's response tokens under the store's checkpoints, computed by a forward
 * pass and cached per (model, sample); loaded checkpoints are kept for the next request (a few).
 */
export class TokenProbService {
  private readonly models: Lru<string, Promise<LoadedCheckpoint>>;
  private readonly results: Lru<string, TokenProbs>;
  private readonly tokenizers = new Lru<string, Tokenizer>(8);

  constructor(
    private readonly store: Store,
    private readonly runDir: string,
    opts: { maxModels?: number; maxResults?: number } = {},
  ) {
    this.models = new Lru(opts.maxModels ?? 2, (p) => void p.then((ck) => ck.model.dispose(), () => undefined));
    this.results = new Lru(opts.maxResults ?? 512);
  }

  /** Checkpoint folder of a model of the store, with a version tag that changes when it is rewritten. */
  private locate(modelId: string): { dir: string; tag: string } {
    const m = this.store.models.get(modelId);
    if (!m) throw new SieveError(`no model ${modelId} in this run`, { where: 'model' });
    const dir = checkpointDir(this.runDir, m.path);
    let tag = '';
    try {
      tag = String(statSync(resolve(dir, 'manifest.json')).mtimeMs);
    } catch (cause) {
      throw new SieveError(`checkpoint ${m.path} has no manifest.json`, { where: dir, hint: 're-run the stage that writes this model', cause });
    }
    return { dir, tag: `${modelId}\u0000${tag}` };
  }

  private checkpoint(modelId: string): Promise<LoadedCheckpoint> {
    const { dir, tag } = this.locate(modelId);
    let p = this.models.get(tag);
    if (!p) {
      p = forward().then((f) => f.loadScorer(dir));
      p.catch(() => this.models.delete(tag)); // a failed load is retried next time, not cached
      this.models.set(tag, p);
    }
    return p;
  }

  async probabilities(modelId: string, sample: SampleForScoring): Promise<TokenProbs> {
    const { tag } = this.locate(modelId);
    const key = `${tag}\u0000${sample.id}`;
    const hit = this.results.get(key);
    if (hit) return hit;
    const ck = await this.checkpoint(modelId);
    const tokens = (await forward()).scoreResponse(ck, sample.prompt, sample.response, sample.withEos);
    const lps = tokens.map((t) => t.logp).filter((x): x is number => x !== null);
    const res: TokenProbs = {
      modelId,
      tokens,
      meanP: lps.length ? lps.reduce((a, x) => a + Math.exp(x), 0) / lps.length : null,
      sumLogP: lps.reduce((a, x) => a + x, 0),
      scored: lps.length,
    };
    this.results.set(key, res);
    return res;
  }

  /** The response as its generator's tokens (tokenizer.json only: no weights, no backend). */
  async tokenTexts(modelId: string, response: string, end: ResponseEnd): Promise<string[]> {
    const { dir, tag } = this.locate(modelId);
    const f = await forward();
    let tok = this.tokenizers.get(tag);
    if (!tok) {
      tok = f.readTokenizer(dir);
      this.tokenizers.set(tag, tok);
    }
    const t = tok;
    return f.responseIds(t, response, end).map((id) => f.tokenLabel(t, id));
  }

  get cachedResults(): number {
    return this.results.size;
  }

  async dispose(): Promise<void> {
    const loaded = this.models.values();
    this.models.clear();
    this.results.clear();
    for (const p of loaded) await p.then((ck) => ck.model.dispose(), () => undefined);
  }
}
