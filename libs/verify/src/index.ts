export { extractAnswer, type Extraction, type ExtractionRule } from './extract';
export { parseAnswer, type ParsedAnswer } from './parse-answer';
export { answersMatch, toleranceOf, DEFAULT_REL_TOL } from './equivalence';
export { evaluateArithmetic, type EvalResult } from './arith';
export { checkSteps, type StepReport, type StepResult } from './steps';
export {
  numericVerifier,
  parseGold,
  type Verdict,
  type VerdictStatus,
  type Verifier,
  type VerifyOptions,
} from './numeric-verifier';
export { mathVerifier, parseMathGold, extractMathAnswer, DEFAULT_TIME_BUDGET_MS } from './math/math-verifier';
export { readAnswer, type Answer, type AnswerKind } from './math/answer';
export { registerVerifier, getVerifier, listVerifiers, verify } from './registry';
export { benchVerify, type BenchOptions, type BenchResult } from './bench';
export type { Rational } from './rational';
export * as verifyLimits from './limits';
