import type { QuestionRow } from '@sieve/store';
import type { SampleEntry } from '../queries/samples';
import { page, statusBadge } from './layout';
import { responseText, wrongStepList } from './response';
import { href, html, type SafeHtml } from './safe';

export interface QuestionPageData {
  runName: string;
  question: QuestionRow;
  /** The dataset whose decisions are shown; null: every sample of the question, by verdict. */
  dataset: { id: number; name: string; version: number } | null;
  verifier: string;
  samples: SampleEntry[];
  total: number;
  page: number;
  pageSize: number;
}

function sampleCard(s: SampleEntry): SafeHtml {
  const v = s.verdict;
  const cls = s.decision ? (s.decision.kept ? 'kept' : 'dropped') : v?.status === 'correct' ? 'kept' : 'dropped';
  const decision = s.decision
    ? s.decision.kept
      ? html`<span class="badge ok">kept</span>`
      : html`<span class="badge bad drop-reason">dropped: ${s.decision.dropReason ?? 'unspecified'}</span>`
    : '';
  return html`<div class="sample ${cls}" id="sample-${s.sampleId}">
<p><a href="${href(`/samples/${s.sampleId}`)}">sample ${s.sampleId}</a> <span class="muted">run ${s.runName} · #${s.sampleIndex} · ${s.tokenCount} tokens · ${s.finishReason}</span>
${statusBadge(v?.status ?? null)} ${decision}</p>
<p class="small">extracted <code>${v?.extracted ?? '—'}</code> · ${v?.reason ?? 'not verified'} · steps ${v ? `${v.stepsTotal} checked, ${v.stepsWrong} wrong, ${v.stepsUnchecked} unchecked` : '—'}</p>
${responseText(s.text, v?.wrongSteps ?? [])}
${wrongStepList(v?.wrongSteps ?? [])}
</div>`;
}

export function questionPage(x: QuestionPageData): string {
  const q = x.question;
  const accepted = x.samples.filter((s) => (s.decision ? s.decision.kept : s.verdict?.status === 'correct'));
  const rejected = x.samples.filter((s) => !accepted.includes(s));
  const [yes, no] = x.dataset ? ['Accepted', 'Rejected'] : ['Correct', 'Not correct'];
  const pages = Math.max(1, Math.ceil(x.total / x.pageSize));
  const path = x.dataset ? `/datasets/${x.dataset.id}/questions/${q.id}` : `/questions/${q.id}`;
  const body = html`<h1>Question #${q.id}</h1>
<p class="muted">${q.set}/${q.split} · source ${q.source}${x.dataset ? html` · dataset <a href="${href(`/datasets/${x.dataset.id}`)}">${x.dataset.name}@${x.dataset.version}</a>` : ''} · verifier ${x.verifier}</p>
<div class="cols">
<section class="gold">
<h2>Question</h2>
<div class="text question-text">${q.text}</div>
<h2>Gold solution</h2>
<p>answer <code class="gold-answer">${q.goldAnswer}</code></p>
<div class="text gold-solution">${q.goldSolution ?? '(none recorded)'}</div>
</section>
<section>
<h2 id="accepted">${yes} (${accepted.length})</h2>
${accepted.map(sampleCard)}
<h2 id="rejected">${no} (${rejected.length})</h2>
${rejected.map(sampleCard)}
${pages > 1 ? html`<p class="pager">page ${x.page} of ${pages} ${x.page > 1 ? html`<a rel="prev" href="${href(path, { page: x.page - 1 })}">previous</a>` : ''}${x.page < pages ? html`<a rel="next" href="${href(path, { page: x.page + 1 })}">next</a>` : ''}</p>` : ''}
</section>
</div>`;
  return page({ title: `question ${q.id}`, runName: x.runName, body });
}
