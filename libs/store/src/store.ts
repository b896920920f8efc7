import { openDb, schemaVersion, type Db } from './db';
import { QuestionRepo } from './questions';
import { StageRepo } from './stages';
import { ModelRepo } from './models';
import { SampleRepo } from './samples';
import { VerdictRepo } from './verdicts';
import { DatasetRepo } from './datasets';
import { TrainingRepo } from './training';
import { EvaluationRepo } from './evaluations';

/** Rows in each table of a run: what each stage has produced so far. */
export interface StoreCounts {
  questions: number;
  models: number;
  sampleRuns: number;
  samples: number;
  verdicts: number;
  datasets: number;
  /** Kept items over every dataset. */
  keptItems: number;
  trainingRuns: number;
  evaluations: number;
}

/**
 * One run's state: a SQLite file with typed repositories over it. The connection is private:
 * every query lives in this lib, as a method of a repository (or of the store, across tables).
 */
export class Store {
  readonly questions: QuestionRepo;
  readonly stages: StageRepo;
  readonly models: ModelRepo;
  readonly samples: SampleRepo;
  readonly verdicts: VerdictRepo;
  readonly datasets: DatasetRepo;
  readonly training: TrainingRepo;
  readonly evaluations: EvaluationRepo;
  readonly #db: Db;

  private constructor(
    db: Db,
    readonly path: string,
  ) {
    this.#db = db;
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
    return schemaVersion(this.#db);
  }

  /**
   * SQLite's `data_version`: changes whenever another connection commits to the file (never for
   * this connection's own writes). A reader that caches aggregates drops them when it changes.
   */
  dataVersion(): number {
    return this.#db.pragma('data_version', { simple: true }) as number;
  }

  /** Row counts of every table (one statement; each count is an index or table scan of its own). */
  counts(): StoreCounts {
    return this.#db
      .prepare(
        `SELECT (SELECT COUNT(*) FROM questions) AS questions, (SELECT COUNT(*) FROM models) AS models,
                (SELECT COUNT(*) FROM sample_runs) AS sampleRuns, (SELECT COUNT(*) FROM samples) AS samples,
                (SELECT COUNT(*) FROM verdicts) AS verdicts, (SELECT COUNT(*) FROM datasets) AS datasets,
                (SELECT COUNT(*) FROM dataset_items WHERE kept = 1) AS keptItems,
                (SELECT COUNT(*) FROM training_runs) AS trainingRuns, (SELECT COUNT(*) FROM evaluations) AS evaluations`,
      )
      .get() as StoreCounts;
  }

  /**
   * Runs fn in one transaction: all its writes land or none do. IMMEDIATE, as every write
   * transaction of the store: it takes the write lock at BEGIN (waiting up to the busy timeout),
   * so a transaction that reads before it writes never fails with SQLITE_BUSY when another process
   * (a stage of `sieve run --jobs N`) committed in between.
   */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
