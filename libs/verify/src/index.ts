export { evaluateArithmetic } from './arith';
export { checkSteps } from './steps';
export { type Verdict, type VerdictStatus, type Verifier, type VerifyOptions } from './numeric-verifier';
export { parseMathGold } from './math/math-verifier';
export { registerVerifier, getVerifier, listVerifiers, verify } from './registry';
export { benchVerify, type BenchOptions, type BenchResult } from './bench';
export * as verifyLimits from './limits';
