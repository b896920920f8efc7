export { PipelineConfigSchema, parsePipelineConfig, loadPipelineConfig, type PipelineConfig, type PipelineConfigInput } from './config';
export { STAGES, isStageName, runStages, fingerprints, instanceId, type StageName, type StageInstance, type StageContext, type StageOutcome, type RunOptions } from './runner';
export { listPresets, loadPreset, presetsDir } from './presets';
export { outName, type PipelineEnv, type ProgressBar } from './context';
