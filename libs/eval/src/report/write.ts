import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SieveError } from '@sieve/core';
import { buildFigures } from './figures';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import type { ReportData } from './types';

export interface ReportFiles {
  markdown: string;
  html: string;
  svgs: string[];
}

/** Writes via a temp file in the same folder and a rename, so readers never see half a file. */
function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text, 'utf8');
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new SieveError(`cannot write the report file ${path}`, { where: path, hint: 'check the folder exists and is writable, and the disk is not full', cause: err });
  }
}

/** Writes report.md, report.html and the SVG figures into dir (created if needed); returns their paths. */
export function writeReport(dir: string, data: ReportData): ReportFiles {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new SieveError(`cannot create the report folder ${dir}`, { where: dir, hint: 'check the path and its permissions', cause: err });
  }
  const figures = buildFigures(data);
  const svgs = figures.map((f) => {
    const p = join(dir, f.file);
    writeAtomic(p, f.svg);
    return p;
  });
  const markdown = join(dir, 'report.md');
  const html = join(dir, 'report.html');
  writeAtomic(markdown, renderMarkdown(data));
  writeAtomic(html, renderHtml(data, figures));
  return { markdown, html, svgs };
}
