/** Prints rows of plain values as an aligned text table on stdout. */
export function printTable<T extends object>(rows: readonly T[], out: NodeJS.WritableStream = process.stdout): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0] as object);
  const cell = (v: unknown): string =>
    v === null || v === undefined ? '' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell((r as Record<string, unknown>)[c]).length)));
  const line = (vals: string[]): string => vals.map((v, i) => v.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  out.write(`${line(cols)}\n`);
  for (const r of rows) out.write(`${line(cols.map((c) => cell((r as Record<string, unknown>)[c])))}\n`);
}

/** `--json`: the whole result as one JSON line; otherwise the table rows made from it. */
export function printResult<R>(json: boolean | undefined, result: R, rows: () => readonly object[]): void {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else printTable(rows());
}
