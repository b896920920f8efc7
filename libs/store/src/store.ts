import { openDb, schemaVersion, type Db } from './db';
import { QuestionRepo } from './questions';
import { StageRepo } from './stages';
import { ModelRepo } from './models';
import { SampleRepo } from './samples';
import { VerdictRepo } from './verdicts';
import { DatasetRepo } from './datasets';
import { TrainingRepo } from './training';
import { EvaluationRepo } from './evaluations';

/** One run's state: a SQLite file with typed repositories over it. */
export class Store {
  readonly questions: QuestionRepo;
  readonly stages: StageRepo;
  readonly models: ModelRepo;
  readonly samples: SampleRepo;
  readonly verdicts: VerdictRepo;
  readonly datasets: DatasetRepo;
  readonly training: TrainingRepo;
  readonly evaluations: EvaluationRepo;

  private constructor(
    readonly db: Db,
    readonly path: string,
  ) {
    this.questions = new QuestionRepo(db);
    this.stages = new StageRepo(db);
    this.models = new ModelRepo(db);
    this.samples = new SampleRepo(db);
    this.verdicts = new VerdictRepo(db);
    this.datasets = new DatasetRepo(db);
    this.training = new TrainingRepo(db);
    this.evaluations = new EvaluationRepo(db);
  }

  static open(path: string, opts: { readonly?: boolean } = {}): Store {
    return new Store(openDb(path, opts), path);
  }

  get schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Runs fn in one transaction: all its writes land or none do. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
