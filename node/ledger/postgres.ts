/**
 * The PostgreSQL backend of the ledger (node-postgres): the same tables, migrations, chain and
 * verification as the SQLite file, for a team that settles from several machines.
 *
 *   postgres://user:password@host:5432/database            tables in the schema "obc_ledger"
 *   postgres://…/database?schema=finance_2026               another schema (one ledger per schema)
 *
 * Every write transaction takes one advisory lock for the schema first, so settlements are
 * written one after another whatever machine they come from, and the hash chain stays a line.
 */
import pg from "pg";
import { LedgerFileError, numberPlaceholders, type Row, type Store, type TriggerInfo } from "./store.ts";

// BIGINT (int8) comes back as a decimal string: the ledger reads it with BigInt()/Number()
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL as shown in messages: without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://…";
  }
}

/** The advisory lock held while a process opens the ledger in a schema (the write lock is another). */
const openLockKey = (schema: string) => `obc ledger opening ${schema}`;

// BIGINT parameters as decimal text (node-postgres does not take bigint)
const pgParams = (params: readonly unknown[]) => params.map((p) => (typeof p === "bigint" ? p.toString() : p)) as unknown[];

const pgReason = (e: unknown): string => {
  const code = (e as { code?: string }).code ?? "";
  if (code === "ECONNREFUSED") return "no PostgreSQL server answers there";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "the host is unknown";
  if (code === "28P01" || code === "28000") return "the user name or password was refused";
  if (code === "3D000") return "the database does not exist";
  if (code === "42501") return "permission denied";
  return code || (e instanceof Error ? e.name : "error");
};

class PgStore implements Store {
  readonly dialect = "postgres" as const;
  constructor(
    private readonly client: pg.PoolClient | pg.Client,
    readonly name: string,
    private readonly schema: string,
    private readonly pool?: pg.Pool,
    private readonly inTx = false,
  ) {}

  async all(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    const r = await this.client.query(numberPlaceholders(sql), pgParams(params));
    return r.rows as Row[];
  }
  async rows(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    const r = await this.client.query({ text: numberPlaceholders(sql), values: pgParams(params), rowMode: "array" });
    return r.rows as unknown[][];
  }
  async get(sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.all(sql, params))[0];
  }
  async run(sql: string, params: readonly unknown[] = []): Promise<void> {
    await this.all(sql, params);
  }
  async exec(sql: string): Promise<void> {
    await this.client.query(sql);
  }
  async transaction<T>(fn: (tx: Store) => Promise<T>, opts: { snapshot?: boolean } = {}): Promise<T> {
    if (this.inTx) return fn(this);
    const client = this.pool ? await this.pool.connect() : (this.client as pg.Client);
    const tx = new PgStore(client, this.name, this.schema, undefined, true);
    try {
      await client.query(opts.snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE READ" : "BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`obc ledger ${this.schema}`]);
      const out = await fn(tx);
      await client.query("COMMIT");
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw e;
    } finally {
      if (this.pool) (client as pg.PoolClient).release();
    }
  }
  async tables(): Promise<string[]> {
    const r = await this.client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", [this.schema]);
    return r.rows.map((x: { table_name: string }) => x.table_name);
  }
  async triggers(): Promise<TriggerInfo[]> {
    // printed with the ledger's schema first on the search path: names are not qualified
    const r = await this.client.query(
      `SELECT t.tgname, t.tgenabled, pg_get_triggerdef(t.oid, true) AS def, p.prosrc
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE n.nspname = $1 AND NOT t.tgisinternal ORDER BY t.tgname`,
      [this.schema],
    );
    return r.rows.map((x: { tgname: string; tgenabled: string; def: string; prosrc: string }) => ({
      name: x.tgname,
      definition: `${x.def}; ${x.prosrc.trim()}`,
      // "A": fires in every session, also with session_replication_role = replica (migration 3)
      enabled: x.tgenabled === "A",
    }));
  }
  async protection(): Promise<string> {
    // every change to a catalog row (create, drop, alter, disable, enable, rename) gives it a new
    // version (xmin): a trigger disabled and enabled again, a table rewritten (ALTER COLUMN …
    // TYPE … USING, VACUUM FULL), which fires no row trigger; a table dropped and created again
    // has a new oid. (VACUUM and ANALYZE update pg_class in place: no new version.)
    const r = await this.client.query(
      `SELECT string_agg(x, ',' ORDER BY x) AS p FROM (
         SELECT 'table ' || c.relname || ' ' || c.oid::text || ' ' || c.xmin::text AS x FROM pg_class c WHERE c.relnamespace = $1::regnamespace AND c.relkind IN ('r', 'p')
         UNION ALL
         SELECT 'trigger ' || t.tgname || ' ' || t.xmin::text || ' ' || t.tgenabled::text FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE c.relnamespace = $1::regnamespace AND NOT t.tgisinternal
         UNION ALL
         SELECT 'function ' || p.proname || ' ' || p.xmin::text FROM pg_proc p WHERE p.pronamespace = $1::regnamespace) AS parts`,
      [this.schema],
    );
    return `postgres ${String(r.rows[0]?.p ?? "")}`;
  }
  /** Ends the opening that openPostgresStore began: other processes may now open the ledger. */
  async opened(): Promise<void> {
    if (this.pool) await this.client.query("SELECT pg_advisory_unlock(hashtext($1))", [openLockKey(this.schema)]);
  }
  async close(): Promise<void> {
    if (this.pool) {
      (this.client as pg.PoolClient).release();
      await this.pool.end();
    }
  }
}

/**
 * Connects to a PostgreSQL ledger. The schema is created when `create` is set; otherwise it must exist.
 * @throws LedgerFileError when the server cannot be reached or the schema is missing
 */
export async function openPostgresStore(url: string, opts: { create: boolean }): Promise<Store> {
  const name = redactUrl(url);
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LedgerFileError(`cannot open the ledger ${name}: not a valid postgres:// address`);
  }
  const schema = u.searchParams.get("schema") ?? "obc_ledger";
  if (!SCHEMA_NAME.test(schema)) throw new LedgerFileError(`cannot open the ledger ${name}: the schema name must be lower-case letters, digits and _`);
  u.searchParams.delete("schema");
  const pool = new pg.Pool({ connectionString: u.toString(), max: 4, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined); // an idle client's error: the next query reports it
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw new LedgerFileError(`cannot open the ledger ${name}: ${pgReason(e)}`);
  }
  try {
    // one process at a time creates, checks and migrates a schema (until Store.opened), so two
    // settles creating the same ledger at once never see each other's half-made tables
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [openLockKey(schema)]);
    const exists = (await client.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).rowCount! > 0;
    if (!exists) {
      if (!opts.create) throw new LedgerFileError(`cannot open the ledger ${name}: it has no schema ${schema} (no ledger there yet)`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    }
    // every connection of the pool works in the ledger's schema
    await client.query(`SET search_path TO ${schema}`);
    pool.on("connect", (c) => void c.query(`SET search_path TO ${schema}`));
  } catch (e) {
    client.release();
    await pool.end().catch(() => undefined);
    if (e instanceof LedgerFileError) throw e;
    throw new LedgerFileError(`cannot open the ledger ${name}: ${pgReason(e)}`);
  }
  return new PgStore(client, name, schema, pool);
}
