import { buildFigures, type CI, type ReportData } from '@sieve/eval';
import { fixed, page, statusBadge, table } from './layout';
import { html, svg } from './safe';

const ci = (x: CI | null | undefined): string => (!x ? '—' : x.n > 1 ? `${fixed(x.mean)} ± ${fixed(x.halfWidth)}` : `${fixed(x.mean)} (n=1)`);

/** Training curves per method (loss, cross-entropy, mean p(y_t)), p(y_t) histograms and the evaluation table. */
export function trainingPage(runName: string, data: ReportData): string {
  const figures = buildFigures(data);
  const splitLabel = (set: string, split: string): string => data.splits.find((s) => s.set === set && s.split === split)?.label ?? `${set}/${split}`;
  const body = html`<h1>Training and evaluation</h1>
<h2>Training runs</h2>
${table(
  ['method', 'seed', 'run', 'status', 'logged steps', 'last loss', 'last ce', 'last mean p'],
  data.curves.map((c) => {
    const last = c.points.at(-1);
    return [c.method, c.seed, c.runName, statusBadge(c.status), c.points.length, fixed(last?.loss), fixed(last?.ce), fixed(last?.meanP)];
  }),
  'training',
)}
<div class="figs">${figures.map((f) => html`<figure>${svg(f.svg)}<figcaption>${f.title}</figcaption></figure>`)}</div>
<h2>Evaluation</h2>
<p class="muted">mean over seeds ± ${Math.round(data.level * 100)}% t half-width</p>
${table(
  ['method', 'split', 'models', 'N', 'questions', 'avg@N', 'greedy', ...data.passKs.map((k) => `pass@${k}`)],
  data.rows.map((r) => [r.method, splitLabel(r.set, r.split), r.models, r.n, r.questions, ci(r.avgAtN), ci(r.greedy), ...data.passKs.map((k) => ci(r.passAtK[String(k)]))]),
  'evaluations',
)}
${data.notes.length ? html`<h3>Notes</h3><ul>${data.notes.map((n) => html`<li>${n}</li>`)}</ul>` : ''}`;
  return page({ title: 'training & evaluation', runName, body });
}
