/** `sieve model info`: what an HF folder holds and the memory it needs, from its JSON files alone (no weights read). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { paramCountOf } from '../config';
import { readHfConfig } from './model';
import { HfTokenizer } from './tokenizer';
import { HfWeights } from './weights';
import { hfParams } from './names';

export interface HfModelInfo {
  path: string;
  arch: string;
  layers: number;
  dim: number;
  heads: number;
  kvHeads: number;
  mlpDim: number;
  vocabSize: number;
  tiedEmbeddings: boolean;
  parameters: number;
  /** The dtype of the stored weights (of the embedding). */
  dtype: string;
  weightFiles: number;
  /** float32 weights, the form sieve computes in (bytes). */
  inferenceBytes: number;
  /** Full training in float32: parameters + gradients + AdamW's two moments = 16 bytes per parameter (activations not included). */
  trainingBytes: number;
  tokenizerVocab: number;
  eosIds: readonly number[];
  chatTemplate: boolean;
}

/** Describes `dir` (config.json, tokenizer, safetensors headers). */
export function describeHfModel(dir: string): HfModelInfo {
  const cfg = readHfConfig(dir);
  const tok = HfTokenizer.fromDir(dir);
  const w = HfWeights.open(dir);
  let dtype = '?';
  try {
    const first = hfParams(cfg.model)[0];
    dtype = (first && w.dtypeOf(first.hfName)) ?? '?';
  } finally {
    w.close();
  }
  const n = paramCountOf(cfg.model);
  const c = cfg.model;
  return {
    path: path.resolve(dir),
    arch: cfg.arch,
    layers: c.layers,
    dim: c.dim,
    heads: c.heads,
    kvHeads: c.kvHeads,
    mlpDim: c.mlpDim,
    vocabSize: c.vocabSize,
    tiedEmbeddings: c.tieEmbeddings ?? true,
    parameters: n,
    dtype,
    weightFiles: fs.readdirSync(dir).filter((f) => f.endsWith('.safetensors')).length,
    inferenceBytes: n * 4,
    trainingBytes: n * 16,
    tokenizerVocab: tok.vocabSize,
    eosIds: tok.eosIds,
    chatTemplate: tok.chatTemplate !== null,
  };
}
