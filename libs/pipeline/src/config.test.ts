import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { formatError } from '@sieve/core';
import { configWarnings, parsePipelineConfig } from './config';
import { listPresets, loadPreset } from './presets';

describe('pipeline config', () => {
  it('ships quick and default presets that validate', () => {
    expect(listPresets()).toEqual(expect.arrayContaining(['quick']));
    for (const p of listPresets()) expect(loadPreset(p).name).toBe(p);
  });

  it('names an unknown key', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.sample.temprature = 0.7;
    expect(() => parsePipelineConfig(raw, 'my.json')).toThrow(/unknown key "sample.temprature"/);
    try {
      parsePipelineConfig(raw, 'my.json');
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).where).toBe('my.json');
    }
  });

  it('model is a built-in shape or a Hugging Face folder; a typo in either names the key', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.model.dimm = 3;
    expect(() => parsePipelineConfig(raw)).toThrow(/unknown key "model.dimm"/);
    raw.model = { hf: 'models/x', promtp: 'chat' };
    expect(() => parsePipelineConfig(raw)).toThrow(/unknown key "model.promtp"/);
    raw.model = { hf: 'models/x' };
    delete raw.pretrain;
    expect(parsePipelineConfig(raw).model).toEqual({ hf: 'models/x', prompt: 'plain' });
    raw.model = JSON.parse(JSON.stringify(loadPreset('quick'))).model;
    expect(() => parsePipelineConfig(raw)).toThrow(/no "pretrain" section/);
  });

  it('names a key with a wrong type', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.train.steps = 'ten';
    expect(() => parsePipelineConfig(raw)).toThrow(/"train.steps": /);
    raw.train.steps = 10;
    raw.train.methods = ['dft', 'ppo'];
    expect(() => parsePipelineConfig(raw)).toThrow(/"train.methods.1"/);
  });

  it('checks splits and pass@k against the rest of the config', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.questions.evalSplits = ['test', 'nope'];
    expect(() => parsePipelineConfig(raw)).toThrow(/split "nope" is used but not defined/);
    raw.questions.evalSplits = ['train'];
    expect(() => parsePipelineConfig(raw)).toThrow(/contains the RFT split/);
    raw.questions.evalSplits = ['test'];
    raw.eval.passAtK = [64];
    expect(() => parsePipelineConfig(raw)).toThrow(/k=64 > eval.n/);
  });

  it('says each problem once on its own line, with no schema dump', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.train.steps = 'ten';
    raw.sample.topP = 2;
    raw.eval.colour = 'red';
    let text = '';
    try {
      parsePipelineConfig(raw, 'my.json');
    } catch (err) {
      text = formatError(err);
    }
    const lines = text.split('\n');
    expect(lines[0]).toBe('error: invalid pipeline config:');
    expect(lines.filter((l) => /^ {2}("|unknown key)/.test(l))).toHaveLength(3);
    expect(text).toMatch(/"train.steps": /);
    expect(text).toMatch(/"sample.topP": /);
    expect(text).toMatch(/unknown key "eval.colour"/);
    expect(text).not.toMatch(/caused by|"code"|\[\s*\{/);
    expect(lines).toContain('  at: my.json');
  });

  it('warns on K identical greedy samples, and refuses them when a method trains on pairs', () => {
    const raw = JSON.parse(JSON.stringify(loadPreset('quick')));
    raw.sample.temperature = 0;
    expect(() => parsePipelineConfig(raw)).toThrow(/train.methods has dpo, which needs correct and incorrect samples/);
    raw.train.methods = ['sft', 'dft'];
    const cfg = parsePipelineConfig(raw);
    expect(configWarnings(cfg)).toEqual([expect.stringMatching(/^sample.temperature is 0 with sample.k = 4: greedy decoding gives 4 identical samples/)]);
    expect(configWarnings(loadPreset('quick'))).toEqual([]);
  });

  it('refuses an unknown preset with the list of known ones', () => {
    expect(() => loadPreset('../../etc/passwd')).toThrow(/unknown preset/);
  });
});
