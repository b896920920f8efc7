import { barChart, histogram } from '@sieve/eval';
import { svg, html, type SafeHtml } from './safe';

function figure(markup: string, caption: string): SafeHtml {
  return html`<figure>${svg(markup)}<figcaption>${caption}</figcaption></figure>`;
}

/** Questions with c correct samples, one bar per c. */
export function correctPerQuestionChart(counts: readonly number[]): SafeHtml {
  return figure(
    barChart({
      title: 'Correct samples per question',
      yLabel: 'questions',
      groups: counts.map((n, c) => ({ label: String(c), bars: [{ name: 'questions', value: n }] })),
    }),
    'How many questions have exactly c correct samples (c on the x axis).',
  );
}

export function dropsChart(drops: Record<string, number>): SafeHtml {
  return figure(
    barChart({ title: 'Dropped items per reason', yLabel: 'items', groups: Object.entries(drops).map(([reason, n]) => ({ label: reason, bars: [{ name: 'dropped', value: n }] })) }),
    'Why items were dropped: each gets the reason of the first rule that dropped it.',
  );
}

export function lengthChart(accepted: readonly number[], rejected: readonly number[], max: number): SafeHtml {
  return figure(
    histogram({
      title: 'Response length, accepted vs rejected',
      xLabel: 'characters',
      yLabel: 'fraction of responses',
      range: [0, Math.max(1, max)],
      normalize: true,
      series: [
        { name: 'accepted', bins: accepted },
        { name: 'rejected', bins: rejected },
      ],
    }),
    'Length distributions of kept and dropped responses, each normalised to 1.',
  );
}
