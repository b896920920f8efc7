export { PipelineConfigSchema, parsePipelineConfig, loadPipelineConfig, type PipelineConfig, type PipelineConfigInput } from './config';
export { STAGES, isStageName, runStages, fingerprints, instanceId, type StageName, type StageInstance, type StageContext, type StageOutcome, type RunOptions } from './runner';
export { buildStages, outputNames, trainKey } from './stages';
export { runPipeline, type RunPipelineOptions } from './run';
export { listPresets, loadPreset, presetsDir } from './presets';
export { outName, type PipelineEnv, type ProgressBar } from './context';
