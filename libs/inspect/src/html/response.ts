import type { WrongStep } from '@sieve/dataset';
import { segmentText } from '../queries/verdict-view';
import { html, type SafeHtml } from './safe';

const stepTitle = (w: WrongStep): string => `wrong step: ${w.expr} = ${w.claimed} claimed, actually ${w.actual ?? '?'}`;

/** A response as escaped text, its wrong calculator steps wrapped in <mark>. */
export function responseText(text: string, wrong: readonly WrongStep[]): SafeHtml {
  const parts = segmentText(text, wrong).map((s) => (s.wrong ? html`<mark class="wrong" title="${stepTitle(s.wrong)}">${s.text}</mark>` : html`${s.text}`));
  return html`<div class="text response">${parts}</div>`;
}

export function wrongStepList(wrong: readonly WrongStep[]): SafeHtml {
  if (!wrong.length) return html``;
  return html`<ul class="wrong-steps small">${wrong.map((w) => html`<li>${stepTitle(w)}</li>`)}</ul>`;
}
