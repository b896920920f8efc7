import type { DatasetInspection, QuestionInspection, QuestionRef, RunInspection, SampleRunInspection } from './inspect';
import { segmentText } from './queries/verdict-view';
import { textHistogram, type Summary } from './stats';

/** Aligned plain-text table (columns from the first row's keys). */
export function textTable(rows: readonly Record<string, string | number | null>[]): string[] {
  if (!rows.length) return [];
  const cols = Object.keys(rows[0] as object);
  const cell = (v: string | number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))];
}

export const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const num = (x: number | null, digits = 1): string | null => (x === null ? null : Number.isInteger(x) ? String(x) : x.toFixed(digits));
const oneLine = (s: string, max = 70): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const indent = (lines: string[], by = '  '): string[] => lines.map((l) => by + l);

function questionTable(rows: readonly QuestionRef[]): string[] {
  return textTable(
    rows.map((q) => ({
      id: q.questionId,
      split: q.split,
      correct: `${q.correct}/${q.samples}`,
      pass: pct(q.passRate),
      ...(q.kept !== null ? { kept: q.kept } : {}),
      question: oneLine(q.text),
    })),
  );
}

function hardEasy(x: { hardest: QuestionRef[]; easiest: QuestionRef[] }): string[] {
  if (!x.hardest.length) return [];
  return ['hardest questions (lowest pass rate):', ...indent(questionTable(x.hardest)), 'easiest questions:', ...indent(questionTable(x.easiest))];
}

function histogramLines(title: string, counts: readonly number[]): string[] {
  return counts.length ? [title, ...indent(textHistogram(counts))] : [];
}

function sampleRunText(r: SampleRunInspection): string[] {
  const v = r.verdicts;
  return [
    `sample run ${r.name} (model ${r.modelId}, ${r.set}${r.split ? `/${r.split}` : ''}, ${r.status}): ${r.samples} samples of ${r.questions} questions`,
    `  ${r.verifier} verdicts: correct ${v.correct}, incorrect ${v.incorrect}, unparseable ${v.unparseable}, unverified ${v.unverified}; pass rate ${pct(r.passRate)}`,
    ...indent(histogramLines('correct samples per question (questions with c correct):', r.correctPerQuestion)),
    ...indent(hardEasy(r)),
  ];
}

function lengthRow(name: string, s: Summary): Record<string, string | number | null> {
  return { responses: name, n: s.n, mean: num(s.mean), median: num(s.median), p90: num(s.p90), min: s.min, max: s.max };
}

export function datasetText(d: DatasetInspection, full = true): string[] {
  const drops = Object.entries(d.drops);
  return [
    `dataset ${d.name}@${d.version} (${d.kind}${d.sampleRun ? `, from sample run ${d.sampleRun}` : ''}, verifier ${d.verifier})`,
    `  rules: ${JSON.stringify(d.rules)}`,
    `  acceptance: ${d.kept}/${d.items} items kept = ${pct(d.acceptanceRate)} over ${d.questions} questions`,
    '  acceptance per split:',
    ...indent(textTable(d.bySplit.map((s) => ({ split: s.split, items: s.items, kept: s.kept, rate: pct(s.rate) }))), '    '),
    ...(drops.length ? ['  dropped per reason:', ...indent(textTable(drops.map(([reason, n]) => ({ reason, items: n }))), '    ')] : ['  nothing dropped']),
    '  response length in characters, accepted vs rejected:',
    ...indent(textTable([lengthRow('accepted', d.lengths.accepted), lengthRow('rejected', d.lengths.rejected)]), '    '),
    ...(full ? indent([...histogramLines('correct samples per question (questions with c correct):', d.correctPerQuestion), ...hardEasy(d)]) : []),
  ];
}

export function runText(r: RunInspection): string {
  const c = r.counts;
  const s = r.stages;
  const lines = [
    `store: ${r.store}`,
    `counts: questions ${c.questions} · models ${c.models} · sample runs ${c.sampleRuns} · samples ${c.samples} · verdicts ${c.verdicts} · ` +
      `datasets ${c.datasets} · kept items ${c.keptItems} · training runs ${c.trainingRuns} · evaluations ${c.evaluations}`,
    '',
    s.records.length
      ? `stages: ${s.records.length} records (${Object.entries(s.byStatus).map(([k, n]) => `${k} ${n}`).join(', ')})`
      : 'stages: no stage records yet',
    ...indent(
      textTable(
        s.records.map((x) => ({ stage: x.stage, key: x.key || '—', status: x.status, started: x.startedAt, duration: x.durationMs === null ? null : `${(x.durationMs / 1000).toFixed(1)}s` })),
      ),
    ),
  ];
  for (const run of r.sampleRuns) lines.push('', ...sampleRunText(run));
  if (r.datasetVersions.length) {
    lines.push('', 'dataset versions:', ...indent(textTable(r.datasetVersions.map((d) => ({ dataset: `${d.name}@${d.version}`, kind: d.kind, items: d.items, kept: d.kept })))));
  }
  for (const d of r.datasets) lines.push('', ...datasetText(d, false));
  return `${lines.join('\n')}\n`;
}

/** Marks wrong calculator steps inline: `<<3*4=13>>` becomes `[✗ <<3*4=13>> should be 12]`. */
export function markWrongSteps(text: string, entry: QuestionInspection['samples'][number]): string {
  return segmentText(text, entry.verdict?.wrongSteps ?? [])
    .map((s) => (s.wrong ? `[✗ ${s.text} should be ${s.wrong.actual ?? '?'}]` : s.text))
    .join('');
}

export function questionText(q: QuestionInspection): string {
  const lines = [
    `question ${q.question.id} (${q.question.set}/${q.question.split})`,
    ...indent(q.question.text.split('\n')),
    `gold answer: ${q.question.goldAnswer}`,
    ...(q.question.goldSolution ? ['gold solution:', ...indent(q.question.goldSolution.split('\n'))] : []),
    '',
    q.dataset
      ? `${q.samples.length} samples in dataset ${q.dataset.name}@${q.dataset.version} (verifier ${q.verifier}):`
      : `${q.total} samples${q.total > q.samples.length ? `, first ${q.samples.length} shown` : ''} (verifier ${q.verifier}):`,
  ];
  for (const s of q.samples) {
    const v = s.verdict;
    const decision = s.decision ? (s.decision.kept ? 'KEPT' : `DROPPED (${s.decision.dropReason ?? 'unspecified'})`) : '';
    lines.push(
      '',
      `sample ${s.sampleId} (run ${s.runName}, #${s.sampleIndex}, ${s.tokenCount} tokens, ${s.finishReason})${decision ? ` ${decision}` : ''}`,
      v
        ? `  verdict: ${v.status} · extracted ${v.extracted ?? '—'} · ${v.reason} · steps ${v.stepsTotal} checked, ${v.stepsWrong} wrong, ${v.stepsUnchecked} unchecked`
        : '  verdict: not verified',
      ...(v?.wrongSteps ?? []).map((w) => `  wrong step: ${w.expr} = ${w.claimed} claimed, actually ${w.actual ?? '?'} (chars ${w.start}–${w.end})`),
      ...indent(markWrongSteps(s.text, s).split('\n'), '  │ '),
    );
  }
  return `${lines.join('\n')}\n`;
}
