export { PipelineConfigSchema, parsePipelineConfig, configWarnings, loadPipelineConfig, type PipelineConfig, type PipelineConfigInput } from './config';
export { planStages, runStages, instanceId, type AnyStage, type PlannedInstance, type StageOutcome, type RunOptions } from './runner';
export { PIPELINE_STAGES, STAGES, isStageName } from './stages';
export { runPipeline, defaultJobs, type RunPipelineOptions } from './run';
export { listPresets, loadPreset, presetsDir } from './presets';
