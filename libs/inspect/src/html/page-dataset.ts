import type { DatasetInspection, QuestionRef } from '../inspect';
import type { ItemSummary, Page } from '@sieve/store';
import { correctPerQuestionChart, dropsChart, lengthChart } from './charts';
import { fixed, page, pct, table } from './layout';
import { href, html, type SafeHtml } from './safe';

export interface DatasetPageData {
  runName: string;
  d: DatasetInspection;
  /** The filter stage's own stats JSON. */
  storedStats: Record<string, unknown>;
  lengthBins: { accepted: number[]; rejected: number[]; max: number };
  items: Page<ItemSummary>;
  show: 'all' | 'kept' | 'dropped';
  reason: string | undefined;
}

export function questionRows(datasetId: number, rows: readonly QuestionRef[]): SafeHtml {
  return table(
    ['question', 'split', 'correct', 'pass rate', 'kept', 'text'],
    rows.map((q) => [
      html`<a href="${href(`/datasets/${datasetId}/questions/${q.questionId}`)}">#${q.questionId}</a>`,
      q.split,
      `${q.correct}/${q.samples}`,
      pct(q.passRate),
      q.kept,
      q.text.length > 120 ? `${q.text.slice(0, 119)}…` : q.text,
    ]),
    'questions',
  );
}

const valueText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function itemsSection(x: DatasetPageData): SafeHtml {
  const id = x.d.id;
  const base = { show: x.show === 'all' ? undefined : x.show, reason: x.reason };
  const reasons = Object.keys(x.d.drops);
  return html`<h2 id="items">Items</h2>
<form method="get" action="${href(`/datasets/${id}`)}">
<label>show <select name="show">${(['all', 'kept', 'dropped'] as const).map((s) => html`<option value="${s}"${s === x.show ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>drop reason <select name="reason"><option value="">any</option>${reasons.map((r) => html`<option value="${r}"${r === x.reason ? html` selected` : ''}>${r}</option>`)}</select></label>
<button type="submit">filter</button>
</form>
${table(
  ['item', 'question', 'sample', 'decision', 'length', 'response'],
  x.items.rows.map((it) => [
    it.id,
    it.questionId === null ? null : html`<a href="${href(`/datasets/${id}/questions/${it.questionId}`)}">#${it.questionId}</a>`,
    it.sampleId === null ? null : html`<a href="${href(`/samples/${it.sampleId}`)}">${it.sampleId}</a>`,
    it.kept ? html`<span class="badge ok">kept</span>` : html`<span class="badge bad">${it.dropReason ?? 'dropped'}</span>`,
    it.length,
    it.preview.length < it.length ? `${it.preview}…` : it.preview,
  ]),
  'items',
)}
<p class="pager">${x.items.prev !== null ? html`<a href="${href(`/datasets/${id}`, { ...base })}#items">first</a><a rel="prev" href="${href(`/datasets/${id}`, { ...base, before: x.items.prev })}#items">previous</a>` : ''}${
    x.items.next !== null ? html`<a rel="next" href="${href(`/datasets/${id}`, { ...base, after: x.items.next })}#items">next</a>` : ''
  }</p>`;
}

export function datasetPage(x: DatasetPageData): string {
  const d = x.d;
  const len = (name: string, s: DatasetInspection['lengths']['accepted']): (string | number | null)[] => [name, s.n, fixed(s.mean, 1), fixed(s.median, 1), fixed(s.p90, 1), s.min, s.max];
  const body = html`<h1>Dataset ${d.name}@${d.version}</h1>
<p class="muted">${d.kind} · from sample run ${d.sampleRun ?? '—'} · verifier ${d.verifier} · created ${d.createdAt}</p>
<h2>Rules</h2>
${table(['rule', 'value'], Object.entries(d.rules).map(([k, v]) => [k, valueText(v)]), 'rules')}
<h2>Statistics</h2>
${table(
  ['questions', 'items', 'kept', 'dropped', 'acceptance'],
  [[d.questions, d.items, d.kept, d.dropped, pct(d.acceptanceRate)]],
  'stats',
)}
<h3>Acceptance per split</h3>
${table(['split', 'items', 'kept', 'acceptance'], d.bySplit.map((s) => [s.split, s.items, s.kept, pct(s.rate)]))}
<h3>Dropped per reason</h3>
${table(['reason', 'items'], Object.entries(d.drops).map(([r, n]) => [html`<a href="${href(`/datasets/${d.id}`, { reason: r })}#items">${r}</a>`, n]), 'drops')}
<h3>Response length (characters)</h3>
${table(['responses', 'n', 'mean', 'median', 'p90', 'min', 'max'], [len('accepted', d.lengths.accepted), len('rejected', d.lengths.rejected)], 'lengths')}
<h3>Stats recorded by the filter stage</h3>
${table(['key', 'value'], Object.entries(x.storedStats).map(([k, v]) => [k, valueText(v)]))}
<h2>Plots</h2>
<div class="figs">${correctPerQuestionChart(d.correctPerQuestion)}${dropsChart(d.drops)}${lengthChart(x.lengthBins.accepted, x.lengthBins.rejected, x.lengthBins.max)}</div>
<h2>Hardest questions</h2>
${questionRows(d.id, d.hardest)}
<h2>Easiest questions</h2>
${questionRows(d.id, d.easiest)}
<p><a href="${href(`/datasets/${d.id}/questions`)}">all ${d.questions} questions, by pass rate</a></p>
${itemsSection(x)}`;
  return page({ title: `dataset ${d.name}@${d.version}`, runName: x.runName, body });
}
