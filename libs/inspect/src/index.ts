export { openReadonlyStore } from './open-store';
export { inspectRun, inspectDataset, inspectQuestion } from './inspect';
export { runText, datasetText, questionText } from './render-text';
export { quantile, summarize, textHistogram, type Summary } from './stats';
export { findDataset, acceptanceBySplit } from './queries/datasets';
export { startViewer, type ViewerServer } from './server';
export { checkpointDir } from './token-probs';
