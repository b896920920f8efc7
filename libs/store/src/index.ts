export { Store } from './store';
export { openDb, migrate, schemaVersion, type Db } from './db';
export { migrations, type Migration } from './migrations';
export { QuestionRepo, questionHash, type QuestionInput, type QuestionRow, type SetSummary } from './questions';
export { StageRepo, type StageRecord, type StageStatus } from './stages';
export { toJson, fromJson, nowIso } from './json';
