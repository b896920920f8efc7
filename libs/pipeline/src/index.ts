export { configWarnings, loadPipelineConfig } from './config';
export { type RunOptions } from './runner';
export { STAGES, isStageName } from './stages';
export { runPipeline, defaultJobs } from './run';
export { listPresets, loadPreset } from './presets';
