/**
 * The ledger's schema, as an ordered list of migrations applied once each and recorded in
 * `schema_migrations` (version, name, checksum of the SQL). Append new migrations; never edit
 * or reorder applied ones (opening a ledger whose recorded checksum differs is refused).
 */
import { createHash } from "node:crypto";
import type BetterSqlite3 from "better-sqlite3";

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "settlements and lines",
    sql: `
CREATE TABLE settlements (
  id               INTEGER PRIMARY KEY,
  contract_title   TEXT    NOT NULL,
  contract_version TEXT,
  contract_hash    TEXT    NOT NULL,          -- sha256 of the contract source
  inputs_hash      TEXT    NOT NULL,          -- sha256 of the sorted input file hashes
  as_of            TEXT    NOT NULL,          -- the run's clock, YYYY-MM-DD
  created_at       TEXT    NOT NULL,          -- given by the caller (the clock is an input)
  currency         TEXT    NOT NULL,
  line_count       INTEGER NOT NULL,
  net_cents        INTEGER NOT NULL,
  UNIQUE (contract_hash, inputs_hash, as_of)
);
CREATE TABLE settlement_inputs (
  settlement_id INTEGER NOT NULL REFERENCES settlements (id),
  label         TEXT    NOT NULL,
  sha256        TEXT    NOT NULL,
  PRIMARY KEY (settlement_id, label)
);
CREATE TABLE lines (
  id            INTEGER PRIMARY KEY,
  settlement_id INTEGER NOT NULL REFERENCES settlements (id),
  student_key   TEXT    NOT NULL,             -- '' for cohort payments
  clause        TEXT    NOT NULL,
  period        TEXT    NOT NULL DEFAULT '',  -- cohort period, '' for student lines
  payer         TEXT    NOT NULL,
  amount_cents  INTEGER NOT NULL,
  kind          TEXT    NOT NULL CHECK (kind IN ('payment', 'adjustment')),
  reason        TEXT    NOT NULL,
  basis         TEXT                          -- JSON: status, amount and the values the clause read
);
CREATE INDEX lines_by_key ON lines (student_key, clause, period, payer);
CREATE INDEX lines_by_settlement ON lines (settlement_id);
`,
  },
];

const checksum = (sql: string) => createHash("sha256").update(sql.trim(), "utf8").digest("hex");

/** The ledger was written by a newer obc, or an applied migration was changed. */
export class MigrationError extends Error {}

/**
 * Applies the migrations not yet applied, each in its own transaction, in version order.
 * @param appliedAt recorded with each migration (the clock is an input; null when not given)
 * @returns the versions applied now
 */
export function migrate(db: BetterSqlite3.Database, migrations: readonly Migration[] = MIGRATIONS, appliedAt: string | null = null): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL,
  checksum   TEXT NOT NULL,
  applied_at TEXT
)`);
  const applied = new Map(
    (db.prepare("SELECT version, checksum FROM schema_migrations").all() as { version: number; checksum: string }[]).map((r) => [r.version, r.checksum]),
  );
  const known = new Set(migrations.map((m) => m.version));
  for (const v of applied.keys()) {
    if (!known.has(v)) throw new MigrationError(`the ledger has schema version ${v}, which this obc does not know: it was written by a newer obc`);
  }
  const done: number[] = [];
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of sorted) {
    const sum = checksum(m.sql);
    const have = applied.get(m.version);
    if (have !== undefined) {
      if (have !== sum) throw new MigrationError(`migration ${m.version} (${m.name}) differs from the one applied to this ledger`);
      continue;
    }
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)").run(m.version, m.name, sum, appliedAt);
    })();
    done.push(m.version);
  }
  return done;
}

/** The versions recorded in `schema_migrations`, ascending. */
export function appliedVersions(db: BetterSqlite3.Database): number[] {
  return (db.prepare("SELECT version FROM schema_migrations ORDER BY version").all() as { version: number }[]).map((r) => r.version);
}
