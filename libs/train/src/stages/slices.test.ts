import { describe, expect, it } from 'vitest';
import { PRETRAIN_STAGE, PretrainOptionsSchema } from './pretrain';
import { TRAIN_STAGE, TrainOptionsSchema } from './train';

const model = { dim: 8, layers: 1, heads: 2, kvHeads: 1, mlpDim: 8, contextLength: 16, ropeTheta: 10000, prompt: 'plain' as const };
const train = (extra: object = {}) => ({ model, train: TrainOptionsSchema.parse({ methods: ['sft'], seeds: [1], ...extra }) });
const pretrain = (extra: object = {}) => ({ model, pretrain: PretrainOptionsSchema.parse({ corpus: { count: 10 }, ...extra }) });
/** The built-in branch of the pretrain slice (the other imports an HF folder). */
const pretrainSlice = (extra: object = {}) => {
  const s = PRETRAIN_STAGE.select(pretrain(extra), '');
  if (!('pretrain' in s)) throw new Error('expected the built-in model slice');
  return s.pretrain;
};

describe('stage slices and the parallel keys', () => {
  it('leave shards and workers out at their neutral values (1, 0), so older fingerprints hold', () => {
    const t = TRAIN_STAGE.select(train(), 'sft/s1');
    expect('shards' in t || 'workers' in t).toBe(false);
    expect(t.batchSize).toBe(8);
    const p = pretrainSlice();
    expect('shards' in p || 'workers' in p).toBe(false);
  });

  it('read them when set', () => {
    expect(TRAIN_STAGE.select(train({ shards: 2, workers: 2 }), 'sft/s1')).toMatchObject({ shards: 2, workers: 2 });
    expect(pretrainSlice({ shards: 4 })).toMatchObject({ shards: 4 });
  });
});
