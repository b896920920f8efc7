import { join } from 'node:path';
import { generateSplits } from '@sieve/tasks';
import { buildDataset, verifySamples } from '@sieve/dataset';
import { pretrain, trainModel } from '@sieve/train';
import { sampleStage } from '@sieve/sample';
import { collectReportData, evaluateModel, writeReport } from '@sieve/eval';
import type { PipelineConfig } from './config';
import { outName, type PipelineEnv } from './context';
import type { StageInstance } from './runner';

/** Names of every output, derived from the fingerprints of the stages that make them. */
export function outputNames(cfg: PipelineConfig, fpOf: (id: string) => string) {
  return {
    questionSet: outName(cfg.questions.set, fpOf('questions')),
    baseModel: outName('base', fpOf('pretrain')),
    sampleRun: outName('rft-samples', fpOf('sample')),
    rftDataset: outName('rft', fpOf('filter')),
    pairsDataset: outName('pairs', fpOf('filter')),
    trained: (method: string, seed: number) => outName(`${method}-s${seed}`, fpOf(`train:${method}/s${seed}`)),
  };
}

export const trainKey = (method: string, seed: number): string => `${method}/s${seed}`;

/** The stage graph of one pipeline config, in run order. */
export function buildStages(env: PipelineEnv): StageInstance[] {
  const { store, runDir, config: cfg } = env;
  const modelDir = (id: string): string => join(runDir, 'models', id);
  const stages: StageInstance[] = [];

  stages.push({
    stage: 'questions',
    key: '',
    deps: [],
    config: { seed: cfg.questions.seed, splits: cfg.questions.splits, set: cfg.questions.set },
    run: async ({ fpOf }) => {
      const set = outputNames(cfg, fpOf).questionSet;
      const specs = Object.entries(cfg.questions.splits).map(([name, s]) => ({ name, preset: s.preset, count: s.count, options: s.options ?? {} }));
      const out = generateSplits({ seed: cfg.questions.seed, splits: specs });
      const counts: Record<string, number> = {};
      store.transaction(() => {
        for (const s of specs) counts[s.name] = store.questions.insertMany(set, s.name, `synthetic:${s.preset}`, out[s.name] ?? []).inserted;
      });
      return { set, counts };
    },
  });

  stages.push({
    stage: 'pretrain',
    key: '',
    deps: ['questions'],
    config: { model: cfg.model, pretrain: cfg.pretrain },
    run: async ({ fpOf, resume, log }) => {
      const names = outputNames(cfg, fpOf);
      const p = cfg.pretrain;
      const bar = env.progress('pretrain', p.steps);
      try {
        const res = await pretrain(store, {
          modelId: names.baseModel,
          outDir: modelDir(names.baseModel),
          config: { ...cfg.model, vocabSize: 0 },
          corpus: { count: p.corpus.count, seed: p.corpus.seed, options: p.corpus.options },
          excludeSets: [names.questionSet],
          steps: p.steps,
          batchSize: p.batchSize,
          lr: p.lr,
          warmupSteps: p.warmupSteps,
          weightDecay: p.weightDecay,
          evalEvery: p.evalEvery,
          checkpointEvery: p.checkpointEvery,
          seed: p.seed,
          resume,
          onProgress: (s) => bar.update(s.step, { loss: s.loss.toFixed(3) }),
        });
        log(`base model ${names.baseModel}: final loss ${res.finalLoss.toFixed(3)}`);
        return { modelId: names.baseModel, finalLoss: res.finalLoss };
      } finally {
        bar.stop();
      }
    },
  });

  stages.push({
    stage: 'sample',
    key: '',
    deps: ['questions', 'pretrain'],
    config: { sample: cfg.sample, split: cfg.questions.rftSplit },
    run: async ({ fpOf, resume }) => {
      const names = outputNames(cfg, fpOf);
      const s = cfg.sample;
      if (!resume) {
        const old = store.samples.getRun(names.sampleRun);
        if (old) store.samples.deleteRun(old.id);
      }
      const total = store.questions.count({ set: names.questionSet, split: cfg.questions.rftSplit });
      const bar = env.progress('sample', total);
      try {
        const res = await sampleStage(store, {
          runName: names.sampleRun,
          modelId: names.baseModel,
          runDir,
          set: names.questionSet,
          split: cfg.questions.rftSplit,
          k: s.k,
          temperature: s.temperature,
          topP: s.topP,
          topK: s.topK,
          maxNewTokens: s.maxNewTokens,
          batchSize: s.batchSize,
          workers: s.workers,
          seed: s.seed,
          onProgress: (p) => bar.update(p.questionsDone),
        });
        return { runName: names.sampleRun, samples: res.total, generated: res.generated };
      } finally {
        bar.stop();
      }
    },
  });

  stages.push({
    stage: 'verify',
    key: '',
    deps: ['sample'],
    config: cfg.verify,
    run: async ({ fpOf }) => {
      const names = outputNames(cfg, fpOf);
      const res = verifySamples(store, { runName: names.sampleRun, verifier: cfg.verify.verifier });
      return { ...res.counts, verified: res.verified };
    },
  });

  stages.push({
    stage: 'filter',
    key: '',
    deps: ['verify'],
    config: cfg.filter,
    run: async ({ fpOf, log }) => {
      const names = outputNames(cfg, fpOf);
      const rules = { ...cfg.filter };
      const rft = buildDataset(store, { runName: names.sampleRun, name: names.rftDataset, rules, verifier: cfg.verify.verifier, kind: 'rft' });
      const needPairs = cfg.train.methods.includes('dpo');
      const pairs = needPairs
        ? buildDataset(store, { runName: names.sampleRun, name: names.pairsDataset, rules, verifier: cfg.verify.verifier, kind: 'pairs' })
        : null;
      const drops = Object.entries(rft.counts.dropped).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${n}`).join(', ');
      log(`dataset ${rft.dataset.name} v${rft.dataset.version}: kept ${rft.counts.kept} of ${rft.counts.total}${drops ? ` (dropped: ${drops})` : ''}`);
      if (pairs) log(`pairs ${pairs.dataset.name} v${pairs.dataset.version}: ${pairs.counts.kept} pairs`);
      return { rft: rft.dataset.name, kept: rft.counts.kept, total: rft.counts.total, pairs: pairs?.counts.kept ?? null };
    },
  });

  const t = cfg.train;
  const trained: { label: string; dep: string }[] = [];
  for (const method of t.methods) {
    for (const seed of t.seeds) {
      const key = trainKey(method, seed);
      stages.push({
        stage: 'train',
        key,
        deps: ['filter', 'pretrain'],
        config: { ...t, methods: undefined, seeds: undefined, method, seed },
        run: async ({ fpOf, resume, log }) => {
          const names = outputNames(cfg, fpOf);
          const id = names.trained(method, seed);
          const bar = env.progress(`train ${key}`, t.steps);
          try {
            const res = await trainModel(store, {
              runName: id,
              method,
              dataset: { name: method === 'dpo' ? names.pairsDataset : names.rftDataset },
              from: modelDir(names.baseModel),
              outDir: modelDir(id),
              seed,
              steps: t.steps,
              batchSize: t.batchSize,
              gradAccum: t.gradAccum,
              lr: t.lr,
              warmupSteps: t.warmupSteps,
              minLrRatio: t.minLrRatio,
              weightDecay: t.weightDecay,
              clip: t.clip,
              dftMinProb: t.dftMinProb,
              iwMaxWeight: t.iwMaxWeight,
              dpoBeta: t.dpoBeta,
              asftKl: t.asftKl,
              evalEvery: t.evalEvery,
              checkpointEvery: t.checkpointEvery,
              resume,
              onProgress: (s) => bar.update(s.step, { loss: s.loss.toFixed(3) }),
            });
            log(`${id}: final loss ${res.finalLoss.toFixed(4)}`);
            return { modelId: id, finalLoss: res.finalLoss };
          } finally {
            bar.stop();
          }
        },
      });
      trained.push({ label: key, dep: `train:${key}` });
    }
  }

  const e = cfg.eval;
  const evalTargets = [{ label: 'base', dep: 'pretrain' }, ...trained];
  for (const target of evalTargets) {
    stages.push({
      stage: 'eval',
      key: target.label,
      deps: ['questions', target.dep],
      config: { eval: e, splits: cfg.questions.evalSplits },
      run: async ({ fpOf }) => {
        const names = outputNames(cfg, fpOf);
        const modelId = target.label === 'base' ? names.baseModel : trainedModelId(names, target.label);
        const total = cfg.questions.evalSplits.reduce((n, split) => n + store.questions.count({ set: names.questionSet, split }), 0);
        const bar = env.progress(`eval ${target.label}`, total);
        try {
          const rows = await evaluateModel(store, {
            modelId,
            runDir,
            set: names.questionSet,
            splits: cfg.questions.evalSplits,
            n: e.n,
            temperature: e.temperature,
            greedy: e.greedy,
            passAtK: e.passAtK,
            maxNewTokens: e.maxNewTokens,
            batchSize: e.batchSize,
            workers: cfg.sample.workers,
            seed: e.seed,
            onProgress: (p) => bar.update(p.questionsDone),
          });
          return { modelId, results: rows };
        } finally {
          bar.stop();
        }
      },
    });
  }

  stages.push({
    stage: 'report',
    key: '',
    deps: evalTargets.map((t2) => `eval:${t2.label}`),
    config: {},
    run: async ({ fpOf, log }) => {
      const names = outputNames(cfg, fpOf);
      const runs = cfg.train.methods.flatMap((m) => cfg.train.seeds.map((s) => names.trained(m, s)));
      const data = collectReportData(store, {
        runName: cfg.name,
        methods: cfg.train.methods,
        trainingRuns: runs,
        baseModels: [names.baseModel],
        datasets: [names.rftDataset],
      });
      const files = await writeReport(join(runDir, 'report'), data);
      log(`report: ${files.markdown}`);
      return { markdown: files.markdown, html: files.html };
    },
  });

  return stages;
}

function trainedModelId(names: ReturnType<typeof outputNames>, label: string): string {
  const [method, s] = label.split('/s');
  return names.trained(method as string, Number(s));
}
