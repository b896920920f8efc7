/**
 * Input caps that keep every verdict fast (well under 100 ms) on hostile input.
 * Each cap trades completeness on absurd input for a hard bound on work; none of
 * them is reached by ordinary GSM8K-sized responses.
 */

/** `The answer is`, `A:` and last-number are searched only in this many trailing characters. */
export const ANSWER_WINDOW_CHARS = 64 * 1024;

/** Text taken after `####` (to the end of that line) and inside `\boxed{…}` is cut at this length. */
export const MAX_ANSWER_CHARS = 64 * 1024;

/** A number literal (or exponent-expanded value) longer than this many digits is not parsed. */
export const MAX_NUMBER_DIGITS = 32_000;

/**
 * `1e…`, `^k` and `\times 10^{k}` may add at most this many digits (|k| ≤ this, and for `b^k`
 * digits(b)·|k| ≤ this): a written-out 10,000-digit number is fine, `9^99999` is not a number.
 */
export const MAX_EXPONENT = 1_000;

/** A `<<expr=value>>` annotation longer than this is reported `unchecked`. */
export const MAX_EXPRESSION_CHARS = 1_000;

/** Parenthesis / unary / power nesting deeper than this makes an expression `unchecked`. */
export const MAX_EXPRESSION_DEPTH = 64;

/** Only the first this-many annotations are evaluated; later ones count as `unchecked`. */
export const MAX_CHECKED_STEPS = 2_000;
