/**
 * The few flat YAML files the trainer exports need (TRL and LLaMA-Factory configs): a mapping of
 * scalars, with comments. Written by hand because no YAML library is a declared dependency (the
 * copies in node_modules come with eslint and nx, dev tools only). Strings are JSON-quoted: a JSON
 * string is a valid YAML double-quoted scalar, so any text round-trips.
 */
export type YamlScalar = string | number | boolean | null;

/** One line of a config: a key and its value, or a comment (`#` added). */
export type YamlLine = { key: string; value: YamlScalar } | { comment: string };

function scalar(v: YamlScalar): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`YAML: cannot write the number ${v}`);
    // PyYAML (YAML 1.1, what TRL and LLaMA-Factory load configs with) reads `1e-7` as a string: it wants a dot.
    const s = String(v);
    return /e/.test(s) && !s.includes('.') ? s.replace('e', '.0e') : s;
  }
  return JSON.stringify(v);
}

/** A flat YAML mapping; keys must be plain identifiers (they are config field names). */
export function toYaml(lines: readonly YamlLine[]): string {
  return lines
    .map((l) => {
      if ('comment' in l) return l.comment.split('\n').map((c) => `# ${c}`.trimEnd()).join('\n');
      if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(l.key)) throw new Error(`YAML: not a plain key: ${l.key}`);
      return `${l.key}: ${scalar(l.value)}`;
    })
    .join('\n')
    .concat('\n');
}
