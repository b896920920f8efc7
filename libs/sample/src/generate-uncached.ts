/**
 * The baseline without a KV cache: every step recomputes the whole sequence (prompt and tokens
 * so far) of every running row. Same sampling, same results as `generate` up to float rounding;
 * used by the benchmark and as a reference in tests.
 */
import { lastLogits, rowsPerForward, type Tokenizer, type Transformer } from '@sieve/model';
import { checkGenerateParams } from './generate';
import { Sequence, type GenRequest, type GenResult, type GenerateParams } from './sequence';

export function generateUncached(
  model: Transformer,
  tokenizer: Tokenizer,
  requests: readonly GenRequest[],
  params: GenerateParams,
  hooks: { onStep?: (tokens: number) => void; forwardTokens?: number } = {},
): GenResult[] {
  checkGenerateParams(params);
  const { vocabSize: vocab, contextLength } = model.config;
  const seqs = requests.map((r) => new Sequence(r.prompt, r.seed, params, tokenizer, contextLength));
  for (;;) {
    const running = seqs.filter((s) => !s.done);
    if (running.length === 0) break;
    const seqs2 = running.map((s) => [...s.prompt, ...s.tokens]);
    const per = rowsPerForward(Math.max(...seqs2.map((x) => x.length)), hooks.forwardTokens);
    for (let at = 0; at < running.length; at += per) {
      // Row chunks only bound memory: each row is computed in full, as alone.
      const logits = lastLogits(model, seqs2.slice(at, at + per), tokenizer.padId); // [chunk·V]
      running.slice(at, at + per).forEach((s, i) => s.step(logits, i * vocab, vocab));
    }
    hooks.onStep?.(running.length);
  }
  return seqs.map((s) => s.result());
}
