import type { VerdictRow, VerdictStatus } from '@sieve/store';
import type { WrongStep } from '@sieve/dataset';

/** A verdict as the views show it: the step check's wrong steps parsed out of its detail JSON. */
export interface VerdictView {
  verifier: string;
  status: VerdictStatus;
  extracted: string | null;
  reason: string;
  stepsTotal: number;
  stepsWrong: number;
  stepsUnchecked: number;
  wrongSteps: WrongStep[];
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);

/**
 * Wrong steps of a verdict's detail, kept only when their offsets lie inside the text and do not
 * overlap (the detail is trusted for being JSON, not for its shape or agreeing with this text), sorted by start.
 */
export function parseWrongSteps(detail: Record<string, unknown>, text: string): WrongStep[] {
  if (!Array.isArray(detail.wrongSteps)) return [];
  const steps = detail.wrongSteps
    .filter((s): s is WrongStep => {
      const w = s as Partial<WrongStep> | null;
      return !!w && isInt(w.start) && isInt(w.end) && w.start >= 0 && w.end > w.start && w.end <= text.length;
    })
    .map((s) => ({
      expr: String(s.expr ?? ''),
      claimed: String(s.claimed ?? ''),
      actual: typeof s.actual === 'number' && Number.isFinite(s.actual) ? s.actual : null,
      start: s.start,
      end: s.end,
    }))
    .sort((a, b) => a.start - b.start);
  const out: WrongStep[] = [];
  for (const s of steps) if (!out.length || s.start >= (out.at(-1) as WrongStep).end) out.push(s);
  return out;
}

export function toVerdictView(v: VerdictRow, text: string): VerdictView {
  return {
    verifier: v.verifier,
    status: v.status,
    extracted: v.extracted,
    reason: v.reason,
    stepsTotal: v.stepsTotal,
    stepsWrong: v.stepsWrong,
    stepsUnchecked: v.stepsUnchecked,
    wrongSteps: parseWrongSteps(v.detail, text),
  };
}

/** A text cut into plain runs and wrong-step runs, for highlighting. */
export interface TextSegment {
  text: string;
  wrong: WrongStep | null;
}

export function segmentText(text: string, wrong: readonly WrongStep[]): TextSegment[] {
  const out: TextSegment[] = [];
  let at = 0;
  for (const w of wrong) {
    if (w.start < at || w.end > text.length) continue;
    if (w.start > at) out.push({ text: text.slice(at, w.start), wrong: null });
    out.push({ text: text.slice(w.start, w.end), wrong: w });
    at = w.end;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at), wrong: null });
  return out;
}
