export { evaluateModel, evaluationSeed, type EvaluateOptions, type EvaluateProgress, type SplitEvaluation } from './evaluate-model';
export { evaluationSettings, replaceEvaluation, type EvaluationSettings } from './settings';
