import type { SampleRunSummary } from '../queries/overview';
import { correctPerQuestionChart } from './charts';
import { pct, statusBadge, table } from './layout';
import { html, type SafeHtml } from './safe';

/** A sample run's summary, shown above its question list. */
export function sampleRunIntro(r: SampleRunSummary, verifier: string, correctPerQuestion: readonly number[]): SafeHtml {
  const v = r.verdicts;
  return html`<p class="muted">model ${r.modelId} · ${r.set}${r.split ? `/${r.split}` : ''} · ${statusBadge(r.status)} · started ${r.createdAt} · finished ${r.finishedAt ?? '—'}</p>
${table(
  ['samples', 'questions', `correct (${verifier})`, 'incorrect', 'unparseable', 'unverified', 'pass rate'],
  [[r.samples, r.questions, v.correct, v.incorrect, v.unparseable, v.unverified, pct(r.samples ? v.correct / r.samples : null)]],
  'run-stats',
)}
<div class="figs">${correctPerQuestionChart(correctPerQuestion)}</div>`;
}
