/**
 * Versioned schema. Append new migrations; never edit one that has shipped.
 * Every table of DESIGN.md "Where state lives" exists from v1, even those later stages fill.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The migration rebuilds a table other tables reference (SQLite cannot drop a NOT NULL in place):
   * run it with foreign keys off, so dropping the old table neither cascades nor fails, and check
   * every reference before committing (SQLite's documented 12-step ALTER TABLE procedure).
   */
  rebuildsReferencedTable?: boolean;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE questions (
  id            INTEGER PRIMARY KEY,
  set_name      TEXT NOT NULL,
  split         TEXT NOT NULL,
  source        TEXT NOT NULL,
  text          TEXT NOT NULL,
  gold_answer   TEXT NOT NULL,
  gold_solution TEXT,
  difficulty    REAL,
  meta          TEXT NOT NULL DEFAULT '{}',
  content_hash  TEXT NOT NULL,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (set_name, content_hash)
);
CREATE INDEX questions_set_split ON questions (set_name, split);

CREATE TABLE models (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL CHECK (kind IN ('base', 'trained', 'imported')),
  path        TEXT NOT NULL,
  config      TEXT NOT NULL,
  parent_id   TEXT REFERENCES models (id),
  meta        TEXT NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);

CREATE TABLE sample_runs (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  model_id    TEXT NOT NULL REFERENCES models (id),
  set_name    TEXT NOT NULL,
  split       TEXT,
  params      TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  status      TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at TEXT
);

CREATE TABLE samples (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES sample_runs (id) ON DELETE CASCADE,
  question_id    INTEGER NOT NULL REFERENCES questions (id),
  sample_index   INTEGER NOT NULL,
  seed           INTEGER NOT NULL,
  text           TEXT NOT NULL,
  token_count    INTEGER NOT NULL,
  logprob_sum    REAL NOT NULL,
  token_logprobs BLOB,
  finish_reason  TEXT NOT NULL CHECK (finish_reason IN ('stop', 'length')),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (run_id, question_id, sample_index)
);
CREATE INDEX samples_question ON samples (question_id);

CREATE TABLE verdicts (
  id              INTEGER PRIMARY KEY,
  sample_id       INTEGER NOT NULL REFERENCES samples (id) ON DELETE CASCADE,
  verifier        TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('correct', 'incorrect', 'unparseable')),
  extracted       TEXT,
  reason          TEXT NOT NULL,
  steps_total     INTEGER NOT NULL DEFAULT 0,
  steps_wrong     INTEGER NOT NULL DEFAULT 0,
  steps_unchecked INTEGER NOT NULL DEFAULT 0,
  detail          TEXT NOT NULL DEFAULT '{}',
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (sample_id, verifier)
);

CREATE TABLE datasets (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL,
  version       INTEGER NOT NULL,
  kind          TEXT NOT NULL CHECK (kind IN ('rft', 'pairs', 'imported')),
  sample_run_id INTEGER REFERENCES sample_runs (id),
  rules         TEXT NOT NULL DEFAULT '{}',
  stats         TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (name, version)
);

CREATE TABLE dataset_items (
  id                 INTEGER PRIMARY KEY,
  dataset_id         INTEGER NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  sample_id          INTEGER REFERENCES samples (id),
  question_id        INTEGER REFERENCES questions (id),
  prompt             TEXT NOT NULL,
  response           TEXT NOT NULL,
  kept               INTEGER NOT NULL CHECK (kept IN (0, 1)),
  drop_reason        TEXT,
  rejected_sample_id INTEGER REFERENCES samples (id),
  rejected_response  TEXT
);
CREATE INDEX dataset_items_dataset ON dataset_items (dataset_id, kept);

CREATE TABLE training_runs (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  method        TEXT NOT NULL,
  dataset_id    INTEGER REFERENCES datasets (id),
  base_model_id TEXT REFERENCES models (id),
  out_model_id  TEXT REFERENCES models (id),
  seed          INTEGER NOT NULL,
  config        TEXT NOT NULL,
  status        TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  step          INTEGER NOT NULL DEFAULT 0,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  finished_at   TEXT
);

CREATE TABLE training_metrics (
  run_id  INTEGER NOT NULL REFERENCES training_runs (id) ON DELETE CASCADE,
  step    INTEGER NOT NULL,
  kind    TEXT NOT NULL CHECK (kind IN ('train', 'eval')),
  values_json TEXT NOT NULL,
  PRIMARY KEY (run_id, step, kind)
);

CREATE TABLE evaluations (
  id          INTEGER PRIMARY KEY,
  model_id    TEXT NOT NULL REFERENCES models (id),
  set_name    TEXT NOT NULL,
  split       TEXT NOT NULL,
  settings    TEXT NOT NULL,
  n           INTEGER NOT NULL,
  avg_at_n    REAL,
  greedy      REAL,
  pass_at_k   TEXT NOT NULL DEFAULT '{}',
  questions   INTEGER NOT NULL,
  detail      TEXT NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
);
CREATE INDEX evaluations_model ON evaluations (model_id, set_name, split);

CREATE TABLE stage_records (
  stage       TEXT NOT NULL,
  key         TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'stale')),
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  duration_ms INTEGER,
  info        TEXT NOT NULL DEFAULT '{}',
  PRIMARY KEY (stage, key)
);
`,
  },
  {
    version: 2,
    name: 'dataset items by question and by sample (viewer pages stay fast at a million samples)',
    sql: `
CREATE INDEX dataset_items_question ON dataset_items (dataset_id, question_id);
CREATE INDEX dataset_items_sample ON dataset_items (sample_id);
`,
  },
  {
    version: 3,
    name: 'samples.logprob_sum nullable: an OpenAI-compatible server may return no log-probs',
    rebuildsReferencedTable: true,
    sql: `
CREATE TABLE samples_v3 (
  id             INTEGER PRIMARY KEY,
  run_id         INTEGER NOT NULL REFERENCES sample_runs (id) ON DELETE CASCADE,
  question_id    INTEGER NOT NULL REFERENCES questions (id),
  sample_index   INTEGER NOT NULL,
  seed           INTEGER NOT NULL,
  text           TEXT NOT NULL,
  token_count    INTEGER NOT NULL,
  logprob_sum    REAL,
  token_logprobs BLOB,
  finish_reason  TEXT NOT NULL CHECK (finish_reason IN ('stop', 'length')),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  UNIQUE (run_id, question_id, sample_index)
);
INSERT INTO samples_v3 (id, run_id, question_id, sample_index, seed, text, token_count, logprob_sum, token_logprobs, finish_reason, created_at)
  SELECT id, run_id, question_id, sample_index, seed, text, token_count, logprob_sum, token_logprobs, finish_reason, created_at FROM samples;
DROP TABLE samples;
ALTER TABLE samples_v3 RENAME TO samples;
CREATE INDEX samples_question ON samples (question_id);
`,
  },
];
