/**
 * Compute backend selection: tfjs-node-gpu → tfjs-node → wasm → cpu, the first that loads wins.
 * `SIEVE_BACKEND` (or `opts.prefer`) forces one and fails loudly if it cannot load.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { SieveError } from '@sieve/core';
import { relaxedSimdAvailable } from './wasm-encoder';
import { registerWasmKernels } from './wasm-kernels';

export const BACKEND_NAMES = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  /** Our name for it (what `SIEVE_BACKEND` takes). */
  name: BackendName;
  /** The tfjs backend name that is active (`tensorflow`, `wasm`, `cpu`). */
  tfBackend: string;
  /** True when chosen by `SIEVE_BACKEND` / `prefer` rather than by the fallback order. */
  forced: boolean;
  /** Why each backend before the winner was skipped. */
  skipped: { name: BackendName; reason: string }[];
}

export interface BackendProbe {
  name: BackendName;
  ok: boolean;
  reason: string;
}

const NODE_PACKAGES: Record<'tfjs-node-gpu' | 'tfjs-node', string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
};

let active: BackendInfo | null = null;

/** First line of an error, with a missing package reported as "not installed". */
function reasonOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return 'not installed';
  const msg = err instanceof Error ? err.message : String(err);
  return (msg.split('\n')[0] ?? '').trim() || 'unknown error';
}

async function importNodePackage(name: 'tfjs-node-gpu' | 'tfjs-node'): Promise<void> {
  // A variable specifier keeps bundlers and tsc from resolving an optional package.
  const spec = NODE_PACKAGES[name];
  await import(/* @vite-ignore */ spec);
}

/** Tries to make `name` the active tfjs backend; throws with the reason if it cannot. */
async function activate(name: BackendName): Promise<string> {
  if (name === 'tfjs-node-gpu' || name === 'tfjs-node') {
    await importNodePackage(name);
    if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
    return 'tensorflow';
  }
  if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
  await tf.ready();
  if (name === 'wasm') registerWasmKernels();
  return name;
}

function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/**
 * Selects and initialises the compute backend once; later calls return the same info
 * unless `prefer` names a different backend, which then replaces the active one.
 */
export async function initBackend(opts: { prefer?: string; log?: (line: string) => void } = {}): Promise<BackendInfo> {
  const envChoice = process.env['SIEVE_BACKEND']?.trim();
  const choice = opts.prefer ?? (envChoice ? envChoice : undefined);
  if (active && (choice === undefined || choice === active.name)) return active;

  let info: BackendInfo;
  if (choice !== undefined) {
    const source = opts.prefer !== undefined ? 'prefer option' : 'SIEVE_BACKEND';
    if (!isBackendName(choice)) {
      throw new SieveError(`unknown backend "${choice}"`, {
        where: source,
        hint: `use one of: ${BACKEND_NAMES.join(', ')} (or unset SIEVE_BACKEND to pick automatically)`,
      });
    }
    try {
      info = { name: choice, tfBackend: await activate(choice), forced: true, skipped: [] };
    } catch (err) {
      throw new SieveError(`backend ${choice} could not be loaded: ${reasonOf(err)}`, {
        where: source,
        hint: 'run `sieve doctor` to see which backends work here, or unset SIEVE_BACKEND to pick automatically',
        cause: err,
      });
    }
  } else {
    const skipped: BackendInfo['skipped'] = [];
    let found: BackendInfo | null = null;
    for (const name of BACKEND_NAMES) {
      try {
        found = { name, tfBackend: await activate(name), forced: false, skipped };
        break;
      } catch (err) {
        skipped.push({ name, reason: reasonOf(err) });
      }
    }
    if (!found) {
      throw new SieveError('no compute backend could be initialised', {
        hint: `reasons: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
      });
    }
    info = found;
  }
  active = info;
  opts.log?.(describeBackend(info));
  return info;
}

/** One line such as `backend: wasm (tfjs-node-gpu: not installed; tfjs-node: not installed)`. */
export function describeBackend(info: BackendInfo): string {
  const why = info.forced ? ['forced'] : info.skipped.map((s) => `${s.name}: ${s.reason}`);
  return `backend: ${info.name}${why.length > 0 ? ` (${why.join('; ')})` : ''}`;
}

/** The backend chosen by `initBackend`, or null before it ran. */
export function activeBackend(): BackendInfo | null {
  return active;
}

/** How the wasm GEMM kernels round (wasm-gemm.ts): what results on this machine depend on. */
function wasmGemmFloats(): string {
  return relaxedSimdAvailable() ? 'GEMMs with wasm relaxed SIMD (fused multiply-adds where the CPU has FMA)' : "GEMMs with XNNPACK's floats (no wasm relaxed SIMD here)";
}

/**
 * Which backends can load here, for `sieve doctor`. The node packages are only imported;
 * wasm and cpu are really initialised, and the previously active backend is restored.
 */
export async function probeBackends(): Promise<BackendProbe[]> {
  // Not tf.getBackend(): that would initialise a backend as a side effect.
  const previous = tf.engine().backendName as string | null | undefined;
  const results: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) {
    try {
      if (name === 'tfjs-node-gpu' || name === 'tfjs-node') await importNodePackage(name);
      else if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend did not initialise`);
      results.push({ name, ok: true, reason: name === 'wasm' ? `loads; ${wasmGemmFloats()}` : 'loads' });
    } catch (err) {
      results.push({ name, ok: false, reason: reasonOf(err) });
    }
  }
  if (previous && tf.engine().backendName !== previous) await tf.setBackend(previous);
  return results;
}
