import { html, type SafeHtml } from './safe';

/** The one stylesheet, served at /assets/viewer.css (CSP allows styles from 'self' only: no inline style). */
export const VIEWER_CSS = `
body { font: 14px/1.45 system-ui, sans-serif; color: #222; margin: 0; }
header { background: #1f2933; color: #fff; padding: 0.5em 1.5em; }
header a { color: #fff; margin-right: 1.2em; text-decoration: none; } header a:hover { text-decoration: underline; }
main { max-width: 1200px; margin: 1em auto; padding: 0 1.5em 3em; }
h1 { font-size: 1.5em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; font-size: 1.2em; } h3 { font-size: 1.05em; }
table { border-collapse: collapse; margin: 0.6em 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 0.2em 0.55em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
pre, .text { white-space: pre-wrap; word-break: break-word; font: 13px/1.4 ui-monospace, monospace; background: #f7f7f7; padding: 0.6em; margin: 0.3em 0; }
.muted { color: #666; } .small { font-size: 0.9em; }
.badge { display: inline-block; padding: 0 0.45em; border-radius: 3px; font-size: 0.85em; background: #eee; }
.ok { background: #d8f3dc; } .bad { background: #ffd6d6; } .warn { background: #fff1c2; }
mark.wrong { background: #ffb3b3; outline: 1px solid #d33; }
.cols { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 2fr); gap: 1.5em; align-items: start; }
.gold { position: sticky; top: 0.5em; }
.sample { border: 1px solid #ddd; border-radius: 4px; padding: 0.5em 0.8em; margin: 0.6em 0; }
.sample.kept { border-left: 5px solid #2d9d55; } .sample.dropped { border-left: 5px solid #c33; }
.pager a, .pager span { margin-right: 1em; }
figure { margin: 1em 0; } figure svg { max-width: 100%; height: auto; } figcaption { color: #555; font-size: 0.9em; }
.figs { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 1em; }
.tokens { white-space: pre-wrap; word-break: break-word; font: 13px/1.7 ui-monospace, monospace; padding: 0.6em; border: 1px solid #ddd; }
.tok { border-radius: 2px; }
.p0 { background: #f4a3a3; } .p1 { background: #f6b49a; } .p2 { background: #f8c493; } .p3 { background: #fad38e; } .p4 { background: #fbe08c; }
.p5 { background: #eee78f; } .p6 { background: #d6e89a; } .p7 { background: #bde3a6; } .p8 { background: #a4dcb2; } .p9 { background: #8fd3bd; } .pna { background: #ddd; }
.legend span { padding: 0 0.5em; }
form.inline { display: inline; } form { margin: 0.5em 0; }
.error { border: 1px solid #d33; background: #fff0f0; padding: 0.6em; }
`;

export interface PageOptions {
  title: string;
  runName: string;
  body: SafeHtml;
}

export function page(o: PageOptions): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · sieve ${o.runName}</title>
<link rel="stylesheet" href="/assets/viewer.css">
<link rel="icon" href="data:,">
</head>
<body>
<header><nav><a href="/">run ${o.runName}</a><a href="/training">training &amp; evaluation</a></nav></header>
<main>
${o.body}
</main>
</body>
</html>
`.value;
}

/** A table from header names and rows of cells (each cell escaped unless SafeHtml). */
export function table(head: readonly string[], rows: readonly (readonly (SafeHtml | string | number | null)[])[], cls = ''): SafeHtml {
  if (!rows.length) return html`<p class="muted">none</p>`;
  return html`<table class="${cls}"><thead><tr>${head.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c === null ? '—' : c}</td>`)}</tr>\n`)}</tbody></table>`;
}

export const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);
export const fixed = (x: number | null | undefined, d = 3): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
export const seconds = (ms: number | null): string => (ms === null ? '—' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export function statusBadge(status: string | null): SafeHtml {
  const cls = status === 'correct' || status === 'done' || status === 'kept' ? 'ok' : status === 'running' || status === 'stale' ? 'warn' : 'bad';
  return html`<span class="badge ${cls}">${status ?? 'unverified'}</span>`;
}

export function errorPage(runName: string, status: number, message: string): string {
  return page({ title: `${status}`, runName, body: html`<h1>${status}</h1><p class="error">${message}</p><p><a href="/">back to the run</a></p>` });
}
