import { describe, expect, it } from 'vitest';
import { InputError } from '@sieve/core';
import { barChart } from './svg/bar-chart';
import { escapeXml } from './svg/xml';
import { histogram } from './svg/histogram';
import { lineChart } from './svg/line-chart';
import { niceTicks } from './svg/scale';

/** Checks XML well-formedness the cheap way: balanced tags, nothing raw between them, known entities only. */
function checkWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<>]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const checkText = (text: string): void => {
    expect(text, 'raw < or > in text').not.toMatch(/[<>]/);
    expect(text.replace(/&(amp|lt|gt|quot|#39|#\d+);/g, ''), 'bare & in text').not.toMatch(/&/);
  };
  while ((m = tag.exec(xml)) !== null) {
    checkText(xml.slice(last, m.index));
    last = tag.lastIndex;
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  checkText(xml.slice(last));
  expect(stack).toEqual([]);
  expect(xml.startsWith('<svg ')).toBe(true);
  expect(xml).not.toMatch(/NaN|undefined|Infinity/);
}

const hostile = '<script>alert("x&y")</script>';

describe('the well-formedness checker used below', () => {
  it('catches unbalanced tags, raw specials and bare ampersands', () => {
    expect(() => checkWellFormed('<svg a="1"><g></svg>')).toThrow();
    expect(() => checkWellFormed('<svg a="1"><text>a < b</text></svg>')).toThrow();
    expect(() => checkWellFormed('<svg a="1"><text>a & b</text></svg>')).toThrow();
    expect(() => checkWellFormed('<svg a="1"><text>a &amp; b</text><rect/></svg>')).not.toThrow();
  });
});

describe('escapeXml', () => {
  it('escapes the five XML specials', () => {
    expect(escapeXml(`a<b>&"c'`)).toBe('a&lt;b&gt;&amp;&quot;c&#39;');
  });
});

describe('nice ticks', () => {
  it('round the domain outward to 1-2-5 steps', () => {
    expect(niceTicks(0, 0.93)).toEqual({ lo: 0, hi: 1, step: 0.2, values: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(niceTicks(0, 2990, 6).step).toBe(500);
    expect(niceTicks(0.3, 0.3).values.length).toBeGreaterThan(1);
  });
});

describe('lineChart', () => {
  const spec = {
    title: `loss ${hostile}`,
    xLabel: 'step',
    yLabel: 'loss',
    series: [
      { name: hostile, points: [[0, 2], [10, 1.5], [20, 1]] as [number, number][] },
      { name: 'gap', points: [[0, 1], [10, NaN], [20, 0.5], [30, 0.4]] as [number, number][] },
      { name: 'empty', points: [] },
    ],
  };

  it('is well-formed, escapes every label and draws NaN as a gap', () => {
    const svg = lineChart(spec);
    checkWellFormed(svg);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;');
    // series 1: one path; series 2: a lone point (circle) then a 2-point path; empty: nothing.
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    // y from 0.4..2 → nice domain 0..2; x 0..30; the first point sits at the left edge, top of the axis.
    expect(svg).toContain('d="M68 44 L');
  });

  it('is deterministic', () => {
    expect(lineChart(spec)).toBe(lineChart(structuredClone(spec)));
  });

  it('handles no data at all', () => {
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points: [[1, NaN]] }] });
    checkWellFormed(svg);
    expect(svg).toContain('no data');
    expect(svg).not.toContain('<path');
  });

  it('thins long series to maxPoints', () => {
    const points = Array.from({ length: 5000 }, (_, i) => [i, Math.sin(i)] as [number, number]);
    const svg = lineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 'a', points }], maxPoints: 100 });
    expect(svg.match(/ L/g)).toHaveLength(99);
  });
});

describe('barChart', () => {
  it('draws bars to scale with error bars and a dash for missing values', () => {
    const svg = barChart({
      title: 'acc',
      yLabel: 'avg@16',
      groups: [
        { label: hostile, bars: [{ name: 'rft', value: 0.5, lo: 0.4, hi: 0.6 }, { name: 'dft', value: 0.25 }] },
        { label: 'ood', bars: [{ name: 'rft', value: NaN }, { name: 'dft', value: 0.75, lo: 0.7, hi: 0.8 }] },
      ],
    });
    checkWellFormed(svg);
    expect(svg).not.toContain('<script');
    const heights = [...svg.matchAll(/<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)" fill="#/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(heights[0]! / heights[1]!).toBeCloseTo(2, 1); // 0.5 vs 0.25
    expect(heights[2]! / heights[1]!).toBeCloseTo(3, 1); // 0.75 vs 0.25
    expect(svg.match(/stroke="#222"/g)).toHaveLength(2); // two error bars
    expect(svg).toContain('>—</text>');
    // one legend colour per method, shared across groups
    expect(svg.match(/>rft</g)).toHaveLength(1);
  });
});

describe('histogram', () => {
  it('overlays series and normalises them to fractions', () => {
    const a = histogram({ title: 'p', range: [0, 1], normalize: true, series: [{ name: 'x', bins: [1, 3] }] });
    const b = histogram({ title: 'p', range: [0, 1], normalize: true, series: [{ name: 'x', bins: [2, 6] }] });
    checkWellFormed(a);
    expect(a).toBe(b);
    const two = histogram({ title: hostile, range: [0, 1], bins: [1, 2, 3], series: [{ name: hostile, bins: [3, 2, 1, 0] }] });
    checkWellFormed(two);
    expect(two.match(/<path /g)).toHaveLength(2);
    expect(two).not.toContain('<script');
  });

  it('rejects negative or NaN bins and an empty range', () => {
    expect(() => histogram({ title: 'p', range: [0, 1], bins: [1, -1] })).toThrow(InputError);
    expect(() => histogram({ title: 'p', range: [0, 1], bins: [NaN] })).toThrow(/bin 0/);
    expect(() => histogram({ title: 'p', range: [1, 1], bins: [1] })).toThrow(/range/);
  });
});
