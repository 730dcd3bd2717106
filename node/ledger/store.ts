/**
 * Where a ledger's rows live: one small interface, two backends.
 *
 *   SQLite (better-sqlite3): a file, the embedded default;
 *   PostgreSQL (node-postgres): `postgres://…`, for staff who settle from several machines.
 *
 * Everything the ledger decides (identity, guards, the hash chain, verification) is written
 * once, in `index.ts`, against {@link Store}; a backend only runs SQL. The SQL is written once
 * too, with `?` placeholders (numbered `$1…` for PostgreSQL here) and the few words that differ
 * between the two dialects given by {@link DIALECT_WORDS} (see migrations.ts).
 *
 * Integers come back as `bigint` (SQLite) or decimal strings (PostgreSQL BIGINT): callers read
 * them with `BigInt(x)` / `Number(x)`, which accepts both.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import Database from "better-sqlite3";

export type Dialect = "sqlite" | "postgres";

export type Row = Record<string, unknown>;

/** A trigger on one of the ledger's tables, as the database holds it. */
export interface TriggerInfo {
  name: string;
  /** its definition as the database prints it (SQLite: the CREATE statement; PostgreSQL: pg_get_triggerdef and the function's body) */
  definition: string;
  /** fires for every change in every session (PostgreSQL: ENABLE ALWAYS; never disabled) */
  enabled: boolean;
}

/** A connection (or a transaction on one). */
export interface Store {
  readonly dialect: Dialect;
  /** what to call the ledger in messages: the file path, or the URL without its password */
  readonly name: string;
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  get(sql: string, params?: readonly unknown[]): Promise<Row | undefined>;
  /** rows as arrays of column values, in the SELECT's order (cheaper than objects for long reads) */
  rows(sql: string, params?: readonly unknown[]): Promise<unknown[][]>;
  run(sql: string, params?: readonly unknown[]): Promise<void>;
  /** several statements, no parameters (migrations) */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction holding the ledger's write lock: every other writer (this
   * process or another) waits until it commits or rolls back. A throw rolls everything back.
   * With `snapshot`, every read in it sees the same state of the database (PostgreSQL's
   * REPEATABLE READ; an SQLite write transaction always does).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>, opts?: { snapshot?: boolean }): Promise<T>;
  /** the names of the tables (in the ledger's schema for PostgreSQL) */
  tables(): Promise<string[]>;
  /** the triggers on the ledger's tables */
  triggers(): Promise<TriggerInfo[]>;
  /**
   * A fingerprint of the ledger's schema that changes whenever a table, trigger or function of
   * it is created, dropped, altered, disabled or enabled (SQLite's schema cookie; on PostgreSQL
   * the catalog rows' versions of the ledger's tables, triggers and functions). Rows cannot be
   * changed or deleted without changing it, since the triggers refuse that.
   */
  protection(): Promise<string>;
  /**
   * Called once the ledger has been checked and migrated on opening: a backend that lets only
   * one process open a ledger at a time (PostgreSQL) lets the next one in.
   */
  opened?(): Promise<void>;
  close(): Promise<void>;
}

/** A ledger file or database that cannot be opened as a ledger: unreadable, damaged, foreign, tampered. */
export class LedgerFileError extends Error {
  override name = "LedgerFileError";
}

// ───────────────────────────── SQLite ─────────────────────────────

/** `PRAGMA application_id` of an obc ledger file ("OBC1"): another application's database has another (or 0). */
export const SQLITE_APPLICATION_ID = 0x4f424331;

const sqliteReason = (e: unknown): string => {
  const code = (e as { code?: string }).code ?? "";
  if (code === "SQLITE_NOTADB") return "it is not an SQLite database";
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_CORRUPT_VTAB") return "the file is damaged (truncated or corrupt)";
  if (code === "SQLITE_CANTOPEN") return "it cannot be opened";
  if (code === "SQLITE_READONLY") return "it is read-only";
  if (code === "SQLITE_BUSY") return "another program holds it locked";
  return code || (e instanceof Error ? e.name : "unreadable");
};

class SqliteStore implements Store {
  readonly dialect = "sqlite" as const;
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;
  constructor(
    private readonly db: Database.Database,
    readonly name: string,
  ) {}

  private stmt(sql: string) {
    return this.db.prepare(sql).safeIntegers(true);
  }
  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const s = this.stmt(sql);
    return (s.reader ? s.all(...params) : (s.run(...params), [])) as Row[];
  }
  async get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return this.stmt(sql).get(...params) as Row | undefined;
  }
  async rows(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.stmt(sql).raw(true).all(...params) as unknown[][];
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<void> {
    this.stmt(sql).run(...params);
  }
  async exec(sql: string): Promise<void> {
    this.db.exec(sql);
  }
  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    // one transaction at a time on this connection; other processes wait on SQLite's lock
    const prev = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((r) => (release = r));
    await prev.catch(() => undefined);
    try {
      this.db.exec("BEGIN IMMEDIATE");
      this.inTx = true;
      try {
        const out = await fn(this);
        this.db.exec("COMMIT");
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec("ROLLBACK");
        throw e;
      } finally {
        this.inTx = false;
      }
    } finally {
      release();
    }
  }
  async tables(): Promise<string[]> {
    return (this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  }
  async triggers(): Promise<TriggerInfo[]> {
    return (this.db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name").all() as { name: string; sql: string }[]).map((r) => ({
      name: r.name,
      definition: r.sql,
      enabled: true,
    }));
  }
  async protection(): Promise<string> {
    return `sqlite schema ${String(this.db.pragma("schema_version", { simple: true }))}`;
  }
  async close(): Promise<void> {
    this.db.close();
  }
  applicationId(): number {
    return Number(this.db.pragma("application_id", { simple: true }));
  }
  setApplicationId(): void {
    this.db.pragma(`application_id = ${SQLITE_APPLICATION_ID}`);
  }
}

/**
 * True when the file is shorter than the database its header describes (SQLite file format
 * §1.3: the size in pages at offset 28 is valid when the change counter at 24 equals the
 * version-valid-for number at 92). A cheap check on every open; `integrity` reads every page.
 */
function truncated(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const h = Buffer.alloc(100);
    if (readSync(fd, h, 0, 100, 0) < 100 || h.toString("latin1", 0, 16) !== "SQLite format 3\0") return false; // not SQLite: said below
    const pageSize = h.readUInt16BE(16) === 1 ? 65536 : h.readUInt16BE(16);
    const pages = h.readUInt32BE(28);
    return pages > 0 && h.readUInt32BE(24) === h.readUInt32BE(92) && pages * pageSize > fstatSync(fd).size;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Opens an SQLite ledger file (`":memory:"` for tests). Checks that the file is an SQLite
 * database and not cut short before anything else reads it; with `integrity`, checks the
 * structure of every page too.
 * @throws LedgerFileError when it is not an SQLite database, is damaged, or is missing while `mustExist`
 */
export function openSqliteStore(path: string, opts: { mustExist?: boolean; name?: string; integrity?: boolean } = {}): SqliteStore {
  const name = opts.name ?? path;
  let db: Database.Database;
  try {
    db = new Database(path, { fileMustExist: opts.mustExist ?? false });
  } catch (e) {
    if ((e as { code?: string }).code === "SQLITE_CANTOPEN" && opts.mustExist) throw new LedgerFileError(`cannot open the ledger ${name}: no such file`);
    throw new LedgerFileError(`cannot open the ledger ${name}: ${sqliteReason(e)}`);
  }
  try {
    db.pragma("busy_timeout = 30000");
    if (path !== ":memory:" && truncated(path)) throw Object.assign(new Error("truncated"), { code: "SQLITE_CORRUPT" });
    // every page's structure (reads the whole file: with a full verification only)
    if (opts.integrity) {
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw Object.assign(new Error("quick_check"), { code: "SQLITE_CORRUPT" });
    }
    db.prepare("SELECT COUNT(*) FROM sqlite_master").get(); // reads the header: refuses a non-SQLite file
    db.pragma("foreign_keys = ON");
    if (path !== ":memory:") db.pragma("journal_mode = WAL");
  } catch (e) {
    db.close();
    throw new LedgerFileError(`cannot open the ledger ${name}: ${sqliteReason(e)}`);
  }
  return new SqliteStore(db, name);
}

export function isSqliteStore(s: Store): s is SqliteStore {
  return s instanceof SqliteStore;
}

// ───────────────────────────── placeholders ─────────────────────────────

/** `?` → `$1, $2, …` (the ledger's SQL has no `?` inside strings). */
export function numberPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
