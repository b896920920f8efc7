import type { QuestionRef } from '../inspect';
import type { PassOrder } from '../queries/pass-rates';
import { page, pct, table } from './layout';
import { href, html, type SafeHtml } from './safe';

export interface QuestionListData {
  runName: string;
  title: string;
  /** This list's own path (the form and pager links point here). */
  path: string;
  /** Where a question's row links to, given its id. */
  questionPath: (id: number) => string;
  rows: QuestionRef[];
  total: number;
  page: number;
  pageSize: number;
  sort: PassOrder;
  split: string | undefined;
  splits: string[];
  /** Shown above the list (a sample run's summary). */
  intro?: SafeHtml;
}

export function questionListPage(x: QuestionListData): string {
  const pages = Math.max(1, Math.ceil(x.total / x.pageSize));
  const q = { sort: x.sort, split: x.split };
  const body = html`<h1>${x.title}</h1>
${x.intro ?? ''}
<h2 id="questions">Questions</h2>
<form method="get" action="${x.path}">
<label>order <select name="sort">${(['hardest', 'easiest', 'id'] as const).map((s) => html`<option value="${s}"${s === x.sort ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>split <select name="split"><option value="">any</option>${x.splits.map((s) => html`<option value="${s}"${s === x.split ? html` selected` : ''}>${s}</option>`)}</select></label>
<button type="submit">show</button>
</form>
<p class="muted">${x.total} questions · page ${x.page} of ${pages}</p>
${table(
  ['question', 'split', 'correct', 'pass rate', 'kept', 'text'],
  x.rows.map((r) => [
    html`<a href="${x.questionPath(r.questionId)}">#${r.questionId}</a>`,
    r.split,
    `${r.correct}/${r.samples}`,
    pct(r.passRate),
    r.kept,
    r.text.length > 120 ? `${r.text.slice(0, 119)}…` : r.text,
  ]),
  'questions',
)}
<p class="pager">${x.page > 1 ? html`<a rel="prev" href="${href(x.path, { ...q, page: x.page - 1 })}">previous</a>` : ''}${
    x.page < pages ? html`<a rel="next" href="${href(x.path, { ...q, page: x.page + 1 })}">next</a>` : ''
  }</p>`;
  return page({ title: x.title, runName: x.runName, body });
}
