import { openDb, schemaVersion, type Db } from './db';
import { QuestionRepo } from './questions';
import { StageRepo } from './stages';

/** One run's state: a SQLite file with typed repositories over it. */
export class Store {
  readonly questions: QuestionRepo;
  readonly stages: StageRepo;

  private constructor(
    readonly db: Db,
    readonly path: string,
  ) {
    this.questions = new QuestionRepo(db);
    this.stages = new StageRepo(db);
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
