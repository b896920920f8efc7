/**
 * What a stage reads is what it fingerprints, for every key of the config: the cases are generated
 * from the pipeline config's schema (every leaf it declares, set or not in the preset), not listed
 * by hand. For each key, one valid change; then every instance's fingerprint must change exactly
 * when its stage's `select` read that key or one of its inputs changed.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { stableStringify } from '@sieve/core';
import { PipelineConfigSchema, parsePipelineConfig, type PipelineConfig } from './config';
import { loadPreset } from './presets';
import { planStages, type PlannedInstance } from './runner';
import { PIPELINE_STAGES } from './stages';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
}

type Path = string[];

/** Every leaf path the schema declares; records are walked through the keys `value` has. */
function leaves(s: JsonSchema, value: unknown, path: Path = []): { path: Path; schema: JsonSchema }[] {
  const branches = s.oneOf ?? s.anyOf;
  if (branches) {
    // A union: an engine's branch by its `kind`; else (`model`: built-in shape or HF folder) the branch
    // whose keys the value is written in; else the first.
    const kind = (value as { kind?: unknown } | undefined)?.kind;
    const keys = Object.keys((value as object | undefined) ?? {});
    const branch =
      branches.find((b) => kind !== undefined && b.properties?.['kind']?.const === kind) ??
      branches.find((b) => b.properties && keys.every((k) => k in (b.properties ?? {}))) ??
      (branches[0] as JsonSchema);
    return leaves(branch, value, path);
  }
  if (s.type === 'object' && s.properties) {
    return Object.entries(s.properties).flatMap(([k, sub]) => leaves(sub, (value as Record<string, unknown> | undefined)?.[k], [...path, k]));
  }
  if (s.type === 'object' && typeof s.additionalProperties === 'object' && s.additionalProperties.type === 'object' && s.additionalProperties.properties) {
    const sub = s.additionalProperties;
    return Object.keys((value as object | undefined) ?? {}).flatMap((k) => leaves(sub, (value as Record<string, unknown>)[k], [...path, k]));
  }
  return [{ path, schema: s }];
}

/** One valid-looking change of a leaf (the config parser decides whether it is valid in context). */
function mutate(s: JsonSchema, cur: unknown): unknown {
  if (s.enum) return s.enum.find((e) => e !== cur);
  switch (s.type) {
    case 'integer':
      return typeof cur === 'number' ? (s.maximum !== undefined && cur + 1 > s.maximum ? cur - 1 : cur + 1) : (s.minimum ?? 0) + 2;
    case 'number':
      return typeof cur === 'number' && cur !== 0 ? cur / 2 : 0.5;
    case 'boolean':
      return !cur;
    case 'string':
      return `${String(cur ?? '')}x`;
    case 'array': {
      if (s.prefixItems) return s.prefixItems.map((p, i) => (i === 0 ? (p.minimum ?? 0) + 0.1 : (p.maximum ?? 1) - 0.1));
      const arr = Array.isArray(cur) ? cur : [];
      if (arr.length > 1) return arr.slice(0, -1);
      const item = s.items || {};
      if (item.type === 'object') return [...arr, mutate(item, arr[0])];
      return [...arr, item.enum ? item.enum.find((e) => !arr.includes(e)) : item.type === 'integer' ? Math.max(0, ...arr.map(Number)) + 1 : `${String(arr[0])}x`];
    }
    case 'object': {
      const obj = (cur ?? {}) as Record<string, unknown>;
      const num = Object.entries(obj).find(([, v]) => typeof v === 'number');
      return num ? { ...obj, [num[0]]: (num[1] as number) + 1 } : { ...obj, maxValue: 50 };
    }
    default:
      throw new Error(`no mutation for schema type ${String(s.type)}`);
  }
}

function setPath(obj: unknown, path: Path, value: unknown): unknown {
  const copy = structuredClone(obj) as Record<string, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
  at[path[path.length - 1] as string] = value;
  return copy;
}

/** The leaf paths `select` touches for an instance, including everything reachable from the slice it returns. */
function readPaths(cfg: PipelineConfig, inst: PlannedInstance): Set<string> {
  const seen = new Set<string>();
  const wrap = (v: unknown, path: Path): unknown =>
    v !== null && typeof v === 'object'
      ? new Proxy(v as object, {
          get(target, key, recv) {
            const out = Reflect.get(target, key, recv) as unknown;
            if (typeof key !== 'string') return out;
            // Passing through an object reads nothing yet; its leaves (or all its keys) are what count.
            if (out === null || typeof out !== 'object') seen.add([...path, key].join('.'));
            return wrap(out, [...path, key]);
          },
          ownKeys(target) {
            seen.add([...path, '*'].join('.'));
            return Reflect.ownKeys(target);
          },
        })
      : v;
  stableStringify(inst.def.select(wrap(cfg, []), inst.key));
  return seen;
}

/** `select` read the leaf, a part of it (an array's items) or enumerated an object holding it. */
const reads = (paths: Set<string>, leaf: string): boolean =>
  [...paths].some((p) => p === leaf || p.startsWith(`${leaf}.`) || (p.endsWith('.*') && (leaf.startsWith(p.slice(0, -1)) || leaf === p.slice(0, -2))));

const openai = (model: string) => ({ kind: 'openai', endpoints: [{ baseUrl: 'http://127.0.0.1:8000/v1', concurrency: 4 }], model });
/** The quick preset, the same sampling and evaluating through an OpenAI-compatible server, and a Hugging Face base model with the chat prompt format. */
const bases: [string, PipelineConfig][] = [
  ['quick', loadPreset('quick')],
  ['quick + openai engines', parsePipelineConfig({ ...loadPreset('quick'), sample: { ...loadPreset('quick').sample, engine: openai('base') }, eval: { ...loadPreset('quick').eval, engine: openai('{model}') } })],
  ['hf-tiny + chat', parsePipelineConfig({ ...loadPreset('hf-tiny'), model: { ...loadPreset('hf-tiny').model, prompt: 'chat' } })],
];
const isHf = (c: PipelineConfig): boolean => 'hf' in c.model;

describe.each(bases)('stage fingerprints (%s)', (_name, base) => {
  const schema = z.toJSONSchema(PipelineConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  // With an HF base model the pretrain section is ignored (and a partial one is invalid): its keys are the built-in bases' cases.
  const cases = leaves(schema, base).filter((l) => l.path[0] !== 'description' && !(isHf(base) && l.path[0] === 'pretrain'));

  it('cover every key of the config schema', () => {
    const keys = cases.map((c) => c.path.join('.'));
    const model = isHf(base) ? ['model.hf', 'model.makeTiny.seed', 'model.prompt', 'model.systemPrompt'] : ['model.dim', 'pretrain.corpus.seed'];
    for (const k of ['questions.seed', 'questions.splits.train.count', ...model, 'sample.topP', 'verify.verifier', 'filter.maxPerQuestion', 'train.dpoBeta', 'eval.passAtK', 'name']) expect(keys).toContain(k);
    expect(cases.length).toBeGreaterThan(isHf(base) ? 50 : 60);
    if (base.sample.engine.kind === 'openai') for (const k of ['sample.engine.endpoints', 'sample.engine.apiKeyEnv', 'sample.engine.timeoutMs', 'sample.engine.extra', 'eval.engine.model']) expect(keys).toContain(k);
  });

  it('change exactly when a key the stage reads (or an input) changes', () => {
    const plan0 = planStages(PIPELINE_STAGES, base);
    const read0 = new Map(plan0.map((i) => [i.id, readPaths(base, i)]));
    let checked = 0;
    const invalid: string[] = [];
    for (const { path, schema: s } of cases) {
      const leaf = path.join('.');
      const cur = path.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], base);
      let cfg: PipelineConfig;
      try {
        cfg = parsePipelineConfig(setPath(base, path, mutate(s, cur)));
      } catch {
        invalid.push(leaf);
        continue;
      }
      const plan1 = new Map(planStages(PIPELINE_STAGES, cfg).map((i) => [i.id, i]));
      const changed = new Set<string>();
      for (const inst of plan0) {
        const next = plan1.get(inst.id);
        if (!next) continue;
        const inputsChanged = stableStringify(inst.inputs) !== stableStringify(next.inputs) || Object.values(inst.inputs).some((d) => changed.has(d));
        const expected = reads(read0.get(inst.id) ?? new Set(), leaf) || inputsChanged;
        const actual = next.fingerprint !== inst.fingerprint;
        if (actual) changed.add(inst.id);
        expect(actual, `${inst.id} after changing ${leaf}: ${expected ? 'reads it, fingerprint must change' : 'does not read it, fingerprint must stay'}`).toBe(expected);
        checked++;
      }
    }
    // Split names used elsewhere and an engine's kind (each kind has its own fields) can't change alone, nor can the built-in
    // model's prompt format (plain only); everything else must have been exercised.
    const fixed = isHf(base) ? /^questions\.(rftSplit|evalSplits)$|^(sample|eval)\.engine\.kind$/ : /^questions\.(rftSplit|evalSplits)$|^(sample|eval)\.engine\.kind$|^model\.prompt$/;
    expect(invalid.every((l) => fixed.test(l)), `changes the schema allows but the config refused: ${invalid.join(', ')}`).toBe(true);
    expect(checked).toBeGreaterThan(isHf(base) ? 300 : 500);
  });

  it('adding dpo plans the pairs stage and the dpo runs, and changes no existing fingerprint', () => {
    const noDpo = parsePipelineConfig({ ...structuredClone(base), train: { ...base.train, methods: ['sft', 'dft'] } });
    const plan0 = planStages(PIPELINE_STAGES, noDpo);
    expect(plan0.map((i) => i.id)).not.toContain('pairs');
    const plan1 = planStages(PIPELINE_STAGES, parsePipelineConfig({ ...structuredClone(base), train: { ...base.train, methods: ['sft', 'dft', 'dpo'] } }));
    const fp1 = new Map(plan1.map((i) => [i.id, i.fingerprint]));
    expect(plan1.find((i) => i.id === 'train:dpo/s1')?.inputs).toEqual({ dataset: 'pairs', base: 'pretrain' });
    const changed = plan0.filter((i) => fp1.get(i.id) !== i.fingerprint).map((i) => i.id);
    expect(changed).toEqual(['report']);
  });
});

describe('engine fingerprints', () => {
  const base = bases[1]![1];
  const fps = (cfg: PipelineConfig) => new Map(planStages(PIPELINE_STAGES, cfg).map((i) => [i.id, i.fingerprint]));
  const changedBy = (edit: (c: PipelineConfig) => void): string[] => {
    const cfg = structuredClone(base);
    edit(cfg);
    const before = fps(base);
    return [...fps(parsePipelineConfig(cfg))].filter(([id, fp]) => before.get(id) !== fp).map(([id]) => id);
  };
  const engineOf = (c: PipelineConfig, stage: 'sample' | 'eval') => c[stage].engine as Extract<PipelineConfig['sample']['engine'], { kind: 'openai' }>;

  it('where and how the server is reached (URLs, concurrency, key variable, timeout) changes no fingerprint', () => {
    for (const stage of ['sample', 'eval'] as const) {
      expect(changedBy((c) => void engineOf(c, stage).endpoints.push({ baseUrl: 'https://user:secret@fleet.example/v1', concurrency: 64 }))).toEqual([]);
      expect(changedBy((c) => void (engineOf(c, stage).endpoints[0]!.concurrency = 1))).toEqual([]);
      expect(changedBy((c) => void (engineOf(c, stage).apiKeyEnv = 'FLEET_KEY'))).toEqual([]);
      expect(changedBy((c) => void (engineOf(c, stage).timeoutMs = 5))).toEqual([]);
    }
    const slices = JSON.stringify(planStages(PIPELINE_STAGES, base).map((i) => i.slice));
    expect(slices).not.toMatch(/127\.0\.0\.1|endpoints|concurrency/);
  });

  it('the served model and the request extras change the stage and everything downstream', () => {
    const sample = changedBy((c) => void (engineOf(c, 'sample').model = 'other'));
    expect(sample).toContain('sample');
    expect(sample).toContain('verify');
    expect(sample).not.toContain('eval:base');
    expect(changedBy((c) => void (engineOf(c, 'eval').extra = { min_p: 0.05 })).sort()).toEqual(['eval:base', 'eval:asft/s1', 'eval:dft/s1', 'eval:dpo/s1', 'eval:iw-sft/s1', 'eval:sft/s1', 'report'].sort());
  });

  it('tfjs adds nothing to the slices: fingerprints of runs made before engines existed hold', () => {
    const quick = planStages(PIPELINE_STAGES, bases[0]![1]);
    for (const i of quick.filter((x) => x.stage === 'sample' || x.stage === 'eval')) expect(Object.keys(i.slice as object)).not.toContain('engine');
  });
});

describe('prompt format fingerprints', () => {
  const hf = loadPreset('hf-tiny');
  const fps = (cfg: PipelineConfig) => new Map(planStages(PIPELINE_STAGES, cfg).map((i) => [i.id, i]));
  const changed = (model: object): string[] => {
    const before = fps(hf);
    return [...fps(parsePipelineConfig({ ...hf, model: { ...hf.model, ...model } }))].filter(([id, i]) => before.get(id)?.fingerprint !== i.fingerprint).map(([id]) => id);
  };

  it('plain → chat changes every stage but the questions and the base model import', () => {
    const all = planStages(PIPELINE_STAGES, hf).map((i) => i.id);
    expect(changed({ prompt: 'chat' }).sort()).toEqual(all.filter((id) => id !== 'questions' && id !== 'pretrain').sort());
    // The stages that read it themselves (verify, filter and report change through their inputs only).
    const chat = fps(parsePipelineConfig({ ...hf, model: { ...hf.model, prompt: 'chat', systemPrompt: 'Be brief.' } }));
    const readers = [...chat.values()].filter((i) => 'prompt' in (i.slice as object)).map((i) => i.id);
    expect(readers.sort()).toEqual(['eval:base', 'eval:dft/s1', 'eval:sft/s1', 'sample', 'train:dft/s1', 'train:sft/s1']);
    expect((chat.get('sample')?.slice as { prompt: unknown }).prompt).toEqual({ format: 'chat', systemPrompt: 'Be brief.' });
  });

  it('plain adds nothing to the slices (fingerprints of runs made before chat existed hold), and a system prompt needs chat', () => {
    expect(changed({ prompt: 'plain' })).toEqual([]);
    expect(() => parsePipelineConfig({ ...hf, model: { ...hf.model, systemPrompt: 'Be brief.' } })).toThrow(/system prompt needs the chat prompt format/);
  });

  it('the built-in model refuses chat, naming model.prompt', () => {
    const quick = loadPreset('quick');
    expect(() => parsePipelineConfig({ ...quick, model: { ...quick.model, prompt: 'chat' } })).toThrow(/"model\.prompt": the built-in model reads plain prompts only/);
  });
});
