import { describe, expect, it } from 'vitest';
import { escapeControl, quoteText } from './escape';
import { formatError, InputError } from './errors';

describe('escapeControl', () => {
  it('shows control and invisible characters as escapes, leaves printable text of any script alone', () => {
    expect(escapeControl('\x1b[2J\x1b]0;pwned\x07ok')).toBe('\\x1b[2J\\x1b]0;pwned\\x07ok');
    expect(escapeControl('a\tb\r\nc\x00\x7f')).toBe('a\\tb\\r\\nc\\x00\\x7f');
    expect(escapeControl('\u009b31m \u202eevil \u200b \ufeff')).toBe('\\x9b31m \\u{202e}evil \\u{200b} \\u{feff}');
    expect(escapeControl('Ünïcödé 数学 ÷ × − 🙂 "quoted" \\ back')).toBe('Ünïcödé 数学 ÷ × − 🙂 "quoted" \\ back');
    expect(escapeControl('one\ntwo\x1b', { keepNewlines: true })).toBe('one\ntwo\\x1b');
  });

  it('quoteText cuts long input and quotes it', () => {
    expect(quoteText('abc')).toBe('"abc"');
    expect(quoteText('x'.repeat(100), 10)).toBe(`"${'x'.repeat(9)}…"`);
    expect(quoteText('a\nb\x1b')).toBe('"a\\nb\\x1b"');
  });
});

describe('formatError', () => {
  it('never lets a control character of a message, where, hint or cause reach the terminal', () => {
    const cause = new SyntaxError('Unexpected token \'\x1b\', "\x1b[31mred" is not valid JSON');
    const err = new InputError('invalid JSON: \x1b[31m', { where: 'f.jsonl:3', hint: 'fix \x1b]0;x\x07', cause });
    const out = formatError(err);
    expect([...out].filter((c) => c !== '\n' && (c < ' ' || (c >= '\x7f' && c <= '\x9f')))).toEqual([]);
    expect(out).toBe(
      [
        'error: invalid JSON: \\x1b[31m',
        '  at: f.jsonl:3',
        '  hint: fix \\x1b]0;x\\x07',
        '  caused by: Unexpected token \'\\x1b\', "\\x1b[31mred" is not valid JSON',
      ].join('\n'),
    );
  });
});

describe('formatError with a schema (zod) cause', () => {
  const zodLike = (): Error => {
    const e = new Error(JSON.stringify([{ code: 'invalid_type', path: ['sample', 'k'], message: 'Invalid input' }], null, 2));
    e.name = 'ZodError';
    Object.assign(e, { issues: [{ code: 'invalid_type', path: ['sample', 'k'], message: 'Invalid input: expected number, received string' }] });
    return e;
  };
  it('drops the raw JSON dump when the SieveError above already names the issues', () => {
    const out = formatError(new InputError('invalid pipeline config: "sample.k": Invalid input', { where: 'my.json', hint: 'fix the value named above', cause: zodLike() }));
    expect(out).toBe('error: invalid pipeline config: "sample.k": Invalid input\n  at: my.json\n  hint: fix the value named above');
  });
  it('shows one line per issue when nothing else names them', () => {
    const wrapped = new Error('bad options', { cause: zodLike() });
    expect(formatError(wrapped)).toBe('error: bad options\n  caused by: sample.k: Invalid input: expected number, received string');
  });
});
