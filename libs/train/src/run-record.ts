/**
 * The store side of a training run: the run row (created, resumed or started over), model
 * lookup by id or folder, and registering the finished checkpoint.
 */
import { existsSync, promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fingerprint, InputError } from '@sieve/core';
import type { ModelKind, Store, TrainingRunRow } from '@sieve/store';

/** The run folder: where sieve.sqlite lives. */
export function runDirOf(store: Store): string {
  return path.dirname(path.resolve(store.path));
}

/** A model path as stored: relative to the run folder when inside it. */
export function storedPath(store: Store, dir: string): string {
  const rel = path.relative(runDirOf(store), path.resolve(dir));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(dir);
}

/** A stored model's checkpoint folder as an absolute path. */
export function modelDir(store: Store, storedModelPath: string): string {
  return path.resolve(runDirOf(store), storedModelPath);
}

/** Where a run keeps its resumable state: a sibling of its output checkpoint. */
export function stateDirFor(outDir: string): string {
  const abs = path.resolve(outDir);
  return path.join(path.dirname(abs), `${path.basename(abs)}.train-state`);
}

/** A model id from the store, or a checkpoint folder; returns the folder and the id if known. */
export function resolveModel(store: Store, idOrDir: string, where = '--from'): { dir: string; modelId: string | null } {
  const row = store.models.get(idOrDir);
  if (row) return { dir: modelDir(store, row.path), modelId: row.id };
  const dir = path.resolve(idOrDir);
  if (existsSync(path.join(dir, 'manifest.json'))) {
    const known = store.models.list().find((m) => modelDir(store, m.path) === dir);
    return { dir, modelId: known?.id ?? null };
  }
  const ids = store.models.list().map((m) => m.id);
  throw new InputError(`"${idOrDir}" is neither a model id in this run nor a checkpoint folder`, {
    where,
    hint: ids.length ? `models in this run: ${ids.join(', ')}` : 'there are no models yet: run `sieve pretrain` first, or give a checkpoint folder',
  });
}

export interface RunSpec {
  name: string;
  method: string;
  datasetId: number | null;
  baseModelId: string | null;
  seed: number;
  /** Everything that determines the result; its fingerprint guards resuming. */
  config: Record<string, unknown>;
  /** false: delete an existing run of this name and start over. */
  resume: boolean;
  stateDir: string;
}

export interface PreparedRun {
  run: TrainingRunRow;
  fingerprint: string;
  /** 'done': a finished run of this name with the same configuration exists. */
  status: 'new' | 'resume' | 'done';
}

/** Settings that guard a run but do not change a finished run's result: outside its fingerprint. */
const NOT_FINGERPRINTED = new Set(['maxSkippedSteps']);

export async function prepareRun(store: Store, spec: RunSpec): Promise<PreparedRun> {
  const fp = fingerprint(Object.fromEntries(Object.entries(spec.config).filter(([k]) => !NOT_FINGERPRINTED.has(k))));
  let existing = store.training.get(spec.name);
  if (existing && !spec.resume) {
    store.training.delete(existing.id);
    await fsp.rm(spec.stateDir, { recursive: true, force: true });
    existing = undefined;
  }
  if (existing) {
    if (existing.config['fingerprint'] !== fp) {
      throw new InputError(`training run "${spec.name}" exists with a different configuration`, {
        where: `run ${spec.name}`,
        hint: 'choose another --name, or pass --restart to discard it and start over',
      });
    }
    if (existing.status === 'done') {
      await fsp.rm(spec.stateDir, { recursive: true, force: true }); // left if the process died right after finishing
      return { run: existing, fingerprint: fp, status: 'done' };
    }
    return { run: existing, fingerprint: fp, status: 'resume' };
  }
  const run = store.training.ensureRun({
    name: spec.name,
    method: spec.method,
    datasetId: spec.datasetId,
    baseModelId: spec.baseModelId,
    seed: spec.seed,
    config: { ...spec.config, fingerprint: fp },
  });
  return { run, fingerprint: fp, status: 'new' };
}

/** Registers the checkpoint and closes the run. */
export function registerResult(
  store: Store,
  r: { runId: number; modelId: string; kind: ModelKind; outDir: string; config: Record<string, unknown>; parentId: string | null; meta: Record<string, unknown> },
): void {
  store.transaction(() => {
    store.models.upsert({ id: r.modelId, kind: r.kind, path: storedPath(store, r.outDir), config: r.config, parentId: r.parentId, meta: r.meta });
    store.training.finish(r.runId, 'done', r.modelId);
  });
}

/** The last train-metric loss of a run (for a finished run that is not re-run). */
export function lastLoss(store: Store, runId: number): number {
  const rows = store.training.metrics(runId, 'train');
  const v = rows[rows.length - 1]?.values['loss'];
  return typeof v === 'number' ? v : NaN;
}
