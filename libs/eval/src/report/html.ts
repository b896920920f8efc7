import { escapeXml } from '../svg/xml';
import { reportDocument, type Block } from './document';
import { FIGURE_TITLES, buildFigures, type Figure } from './figures';
import type { ReportData } from './types';

const CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.5em; }
table { border-collapse: collapse; margin: 0.8em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }
th { background: #f4f4f4; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9em; }
`;

/** Inline SVG in HTML5 takes its namespace from the parser, so the xmlns address is dropped. */
function inlineSvg(svg: string): string {
  return svg.replace(/^<svg xmlns="[^"]*"/, '<svg');
}

function block(b: Block, figures: ReadonlyMap<string, Figure>): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeXml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${escapeXml(b.text)}</p>`;
    case 'table': {
      const head = b.head.every((h) => h === '') ? '' : `<thead><tr>${b.head.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead>`;
      const rows = b.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`).join('\n');
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
    case 'pre':
      return `<pre>${b.lines.map(escapeXml).join('\n')}</pre>`;
    case 'figure': {
      const fig = figures.get(b.file);
      const caption = `<figcaption>${escapeXml(FIGURE_TITLES[b.file] ?? b.file)}</figcaption>`;
      return fig ? `<figure>\n${inlineSvg(fig.svg)}${caption}</figure>` : '';
    }
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeXml(i)}</li>`).join('')}</ul>`;
  }
}

/** One self-contained HTML page: inline CSS and inline SVG figures, no external assets, all text escaped. */
export function renderHtml(data: ReportData, figures: readonly Figure[] = buildFigures(data)): string {
  const figs = new Map(figures.map((f) => [f.file, f]));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(`sieve report: ${data.runName}`)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    ...reportDocument(data).map((b) => block(b, figs)),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
