import type { ModelRow } from '@sieve/store';
import type { SampleDetail } from '../queries/samples';
import { fixed, page, statusBadge, table } from './layout';
import { responseText, wrongStepList } from './response';
import { href, html, type SafeHtml } from './safe';

/** One response token with the probability a model gave it (null: not scored, e.g. past the context). */
export interface TokenCell {
  text: string;
  p: number | null;
  /** Tooltip extras, e.g. the other probability. */
  note?: string;
}

export type TokenSection = { tokens: TokenCell[]; summary: string } | { error: string } | null;

export interface SamplePageData {
  runName: string;
  s: SampleDetail;
  models: ModelRow[];
  model: string | undefined;
  /** The sampling-time log-probs stored with the sample, on its generator's tokens. */
  sampled: TokenSection;
  /** p(y_t) under the chosen checkpoint. */
  scored: TokenSection;
}

export const probClass = (p: number | null): string => (p === null || !Number.isFinite(p) ? 'pna' : `p${Math.min(9, Math.max(0, Math.floor(p * 10)))}`);

export function tokenStrip(tokens: readonly TokenCell[], cls: string): SafeHtml {
  return html`<div class="tokens ${cls}">${tokens.map(
    (t) => html`<span class="tok ${probClass(t.p)}" title="${t.p === null ? 'not scored' : `p=${t.p.toFixed(4)}`}${t.note ? ` · ${t.note}` : ''}">${t.text}</span>`,
  )}</div>`;
}

const legend = html`<p class="legend small">p(token): ${Array.from({ length: 10 }, (_, i) => html`<span class="p${i}">${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}</span>`)}<span class="pna">not scored</span></p>`;

function section(title: string, cls: string, sec: TokenSection, empty: string): SafeHtml {
  if (sec === null) return html`<h3>${title}</h3><p class="muted">${empty}</p>`;
  if ('error' in sec) return html`<h3>${title}</h3><p class="error">${sec.error}</p>`;
  return html`<h3>${title}</h3><p class="small">${sec.summary}</p>${tokenStrip(sec.tokens, cls)}`;
}

export function samplePage(x: SamplePageData): string {
  const s = x.s;
  const v0 = s.verdicts[0];
  const body = html`<h1>Sample ${s.id}</h1>
<p class="muted">sample run <a href="${href(`/runs/${s.run.id}`)}">${s.run.name}</a> (model ${s.run.modelId}) ·
question <a href="${href(`/questions/${s.question.id}`)}">#${s.question.id}</a> · #${s.sampleIndex} · seed ${s.seed} · ${s.tokenCount} tokens · ${s.finishReason} · sum log p ${fixed(s.logprobSum)}</p>
<h2>Question</h2>
<div class="text question-text">${s.question.text}</div>
<p>gold answer <code class="gold-answer">${s.question.goldAnswer}</code></p>
<h2>Response</h2>
${responseText(s.text, v0?.wrongSteps ?? [])}
${wrongStepList(v0?.wrongSteps ?? [])}
<h2>Verdicts</h2>
${table(
  ['verifier', 'status', 'extracted', 'reason', 'steps', 'wrong', 'unchecked'],
  s.verdicts.map((v) => [v.verifier, statusBadge(v.status), v.extracted, v.reason, v.stepsTotal, v.stepsWrong, v.stepsUnchecked]),
  'verdicts',
)}
<h2>In datasets</h2>
${table(
  ['dataset', 'item', 'decision'],
  s.decisions.map((d) => [
    html`<a href="${href(`/datasets/${d.datasetId}/questions/${s.question.id}`)}">${d.name}@${d.version}</a>`,
    d.itemId,
    d.kept ? html`<span class="badge ok">kept</span>` : html`<span class="badge bad">dropped: ${d.dropReason ?? 'unspecified'}</span>`,
  ]),
  'decisions',
)}
<h2 id="tokens">Token probabilities</h2>
<form method="get" action="${href(`/samples/${s.id}`)}">
<label>checkpoint <select name="model">${x.models.map((m) => html`<option value="${m.id}"${m.id === x.model ? html` selected` : ''}>${m.id} (${m.kind})</option>`)}</select></label>
<button type="submit">colour by p(y_t)</button>
</form>
${legend}
${section(x.scored !== null && x.model ? `p(y_t) under ${x.model}` : 'p(y_t) under a checkpoint', 'scored', x.scored, 'choose a checkpoint above: its forward pass on prompt + response gives each token’s probability')}
${section('sampling-time p(y_t), as stored with the sample', 'sampled', x.sampled, 'no per-token log-probs were stored with this sample (its engine did not return them)')}`;
  return page({ title: `sample ${s.id}`, runName: x.runName, body });
}
