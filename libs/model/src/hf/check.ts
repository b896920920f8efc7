/**
 * `sieve model check`: is sieve running this checkpoint right? The model is exported to GGUF
 * (F32, so only the engines differ) and the same token sequences go through sieve's forward and
 * through llama.cpp (node-llama-cpp on the CPU, an independent implementation). llama.cpp runs
 * with an F32 KV cache and without flash attention: its default F16 cache alone moves log-probs
 * of a tiny random model by up to ~1e-2 nats, which would hide real differences of the forward. Reported: the
 * largest |log p_sieve − log p_llama.cpp| over the whole vocabulary at every position, and
 * whether both tokenizers give the same ids for a set of math strings.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ControlledEvaluateInputItem, Token } from 'node-llama-cpp';
import { SieveError } from '@sieve/core';
import { CharTokenizer, type Tokenizer } from '../tokenizer';
import type { Transformer } from '../transformer';
import { exportGguf, type GgufModelConfig } from './gguf-export';
import { hfTensorsOf } from './model';
import type { HfTokenizer } from './tokenizer';

/** Math text the tokenizers must agree on: calculator annotations, `####`, Unicode, special tokens. */
export const MATH_STRINGS: readonly string[] = [
  'Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. 48/2 = <<48/2=24>>24\n#### 72',
  'Weng earns $12 an hour. 12/60 = $<<12/60=0.2>>0.2 per minute.\n50 × 0.2 = <<50*0.2=10>>10\n#### 10',
  '<|im_start|>user\nWhat is 123456789 + 987654321?<|im_end|>\n<|im_start|>assistant\nThe answer is \\boxed{1111111110}.<|im_end|>',
  'Ünïcödé: ½ × π ≈ 3.14159, √2 ≈ 1.414, 3² = 9, −5 °C, 10 €, 東京 has 13,960,000 people.',
  '  leading spaces,\ttabs\n\nand blank lines   \n#### -3.5',
];

export interface ModelCheckResult {
  arch: string;
  vocabSize: number;
  sequences: number;
  positions: number;
  /** max over sequences, positions and the whole vocabulary of |log p_sieve − log p_llama.cpp| (nats). */
  maxAbsLogprobDiff: number;
  perSequence: { tokens: number; maxAbsLogprobDiff: number }[];
  tokenizersAgree: boolean;
  tokenizer: { text: string; same: boolean; sieve: number[]; llamaCpp: number[] }[];
  seconds: number;
}

/**
 * The math strings with every character a char vocabulary lacks removed (sieve reads one as
 * `<unk>`, llama.cpp's BPE skips it); other tokenizers get them unchanged.
 */
export function mathStringsFor(tokenizer: Tokenizer): string[] {
  if (!(tokenizer instanceof CharTokenizer)) return [...MATH_STRINGS];
  return MATH_STRINGS.map((t) => Array.from(t).filter((ch) => tokenizer.encode(ch)[0] !== tokenizer.unkId).join(''));
}

/** Log-softmax rows [T][V] of sieve's forward on one sequence. */
function sieveLogprobs(model: Transformer, ids: readonly number[]): Float32Array {
  try {
    return tf.tidy(() => {
      const x = tf.tensor2d([Array.from(ids)], undefined, 'int32');
      return tf.logSoftmax(model.forward(x)).dataSync() as Float32Array; // [1, T, V]
    });
  } catch (err) {
    // Measured: tfjs-wasm fails this way once weights + activations pass ~2 GB (a 0.5B model in float32).
    const oom = err instanceof Error && /memory access out of bounds|out of memory/i.test(err.message);
    throw new SieveError(`sieve's forward failed on the ${tf.getBackend()} backend`, {
      cause: err,
      hint: oom ? 'the wasm heap is too small for this model: run with SIEVE_BACKEND=cpu (slow) or install @tensorflow/tfjs-node' : undefined,
    });
  }
}

/**
 * Runs the comparison. `texts` are tokenized with sieve's tokenizer and each (up to `maxTokens`
 * tokens) is evaluated by both engines; `ggufPath` keeps the exported GGUF (default: a temp
 * file, removed afterwards).
 * @throws SieveError when llama.cpp cannot load the export or returns a partial distribution.
 */
export async function checkAgainstLlamaCpp(
  m: { config: GgufModelConfig; model: Transformer; tokenizer: HfTokenizer | CharTokenizer },
  opts: {
    texts?: readonly string[];
    tokenizerTexts?: readonly string[];
    maxTokens?: number;
    /** Keep the export here. */
    ggufPath?: string;
    /** Compare against this existing GGUF instead of exporting the model. */
    existingGguf?: string;
  } = {},
): Promise<ModelCheckResult> {
  const t0 = performance.now();
  const tmpDir = opts.ggufPath || opts.existingGguf ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'sieve-check-'));
  const gguf = opts.existingGguf ?? opts.ggufPath ?? path.join(tmpDir ?? '', 'model.gguf');
  const vocab = m.config.model.vocabSize;
  try {
    if (!opts.existingGguf) exportGguf(gguf, { config: m.config, tensors: hfTensorsOf(m.model), tokenizer: m.tokenizer }, { dtype: 'F32' });
    const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error });
    const lm = await llama.loadModel({ modelPath: gguf });
    try {
      const tokenizer = (opts.tokenizerTexts ?? mathStringsFor(m.tokenizer)).map((text) => {
        const sieve = m.tokenizer.encode(text);
        const llamaCpp = Array.from(lm.tokenize(text, true), Number);
        return { text, same: sieve.length === llamaCpp.length && sieve.every((id, i) => id === llamaCpp[i]), sieve, llamaCpp };
      });
      const maxTokens = opts.maxTokens ?? 24;
      const seqs = (opts.texts ?? mathStringsFor(m.tokenizer).slice(0, 3)).map((t) => m.tokenizer.encode(t).slice(0, maxTokens));
      const longest = Math.max(...seqs.map((s) => s.length));
      const ctx = await lm.createContext({
        contextSize: Math.max(64, longest + 8),
        batchSize: Math.max(64, longest + 8),
        sequences: 1,
        flashAttention: false,
        experimentalKvCacheKeyType: 'F32',
        experimentalKvCacheValueType: 'F32',
      });
      const perSequence: ModelCheckResult['perSequence'] = [];
      try {
        const seq = ctx.getSequence();
        for (const ids of seqs) {
          await seq.clearHistory();
          const full = { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } };
          const out = await seq.controlledEvaluate(ids.map((id): ControlledEvaluateInputItem => [id as Token, full]));
          const ours = sieveLogprobs(m.model, ids);
          let worst = 0;
          ids.forEach((_, t) => {
            const probs = out[t]?.next.probabilities;
            if (!probs || probs.size !== vocab) {
              throw new SieveError(`llama.cpp returned ${probs?.size ?? 0} probabilities at position ${t}, expected the whole vocabulary (${vocab})`);
            }
            for (const [id, p] of probs) worst = Math.max(worst, Math.abs(Math.log(p) - (ours[t * vocab + Number(id)] ?? NaN)));
          });
          perSequence.push({ tokens: ids.length, maxAbsLogprobDiff: worst });
        }
      } finally {
        await ctx.dispose();
      }
      return {
        arch: m.config.arch,
        vocabSize: vocab,
        sequences: seqs.length,
        positions: seqs.reduce((n, s) => n + s.length, 0),
        maxAbsLogprobDiff: Math.max(...perSequence.map((s) => s.maxAbsLogprobDiff)),
        perSequence,
        tokenizersAgree: tokenizer.every((c) => c.same),
        tokenizer,
        seconds: (performance.now() - t0) / 1000,
      };
    } finally {
      await lm.dispose();
    }
  } finally {
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}
