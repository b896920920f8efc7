import { reportDocument, type Block } from './document';
import { FIGURE_TITLES } from './figures';
import type { ReportData } from './types';

/**
 * Escapes text for a Markdown table cell or paragraph: no emphasis, code, links or raw HTML, one line.
 * Brackets stay readable ("[0.1, 0.2]"); a link needs "](", which is broken up instead.
 */
export function mdEscape(text: string): string {
  return text
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_|#]/g, (c) => `\\${c}`)
    .replace(/\]\(/g, ']\\(')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function block(b: Block): string[] {
  switch (b.kind) {
    case 'heading':
      return [`${'#'.repeat(b.level)} ${mdEscape(b.text)}`];
    case 'paragraph':
      return [mdEscape(b.text)];
    case 'table':
      return [
        `| ${b.head.map(mdEscape).join(' | ')} |`,
        `| ${b.head.map(() => '---').join(' | ')} |`,
        ...b.rows.map((r) => `| ${r.map(mdEscape).join(' | ')} |`),
      ];
    case 'pre':
      // Fenced: only a line starting with ``` could end it early.
      return ['```text', ...b.lines.map((l) => l.replace(/^```/, '\\```')), '```'];
    case 'figure':
      return [`![${mdEscape(FIGURE_TITLES[b.file] ?? b.file)}](${b.file})`];
    case 'list':
      return b.items.map((i) => `- ${mdEscape(i)}`);
  }
}

/** The whole report as Markdown; figures are linked as the SVG files writeReport puts beside it. */
export function renderMarkdown(data: ReportData): string {
  return reportDocument(data)
    .flatMap((b) => [...block(b), ''])
    .join('\n');
}
