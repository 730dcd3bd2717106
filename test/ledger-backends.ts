/**
 * The ledger backends the ledger tests run against: SQLite always, and PostgreSQL: a real
 * server made available by `.ci/postgres` (started if it is down, left as it was found when the
 * test run ends), each test ledger in a schema of its own, dropped afterwards.
 *
 *   const backends = await ledgerBackends();   // top level of a test file
 *   describe.each(backends)("… ($name)", (b) => { const target = b.fresh(dir); … });
 *
 * Where no PostgreSQL server can be had, its tests are skipped with the reason printed, except
 * in CI (`CI=true`, or `OBC_REQUIRE_POSTGRES=1`), where that is an error: the tests must not
 * pass there without having run. `OBC_TEST_POSTGRES_URL=postgres://…` uses another server.
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));

export interface Backend {
  name: "sqlite" | "postgres";
  /**
   * A new, empty ledger: `dir`/`file` for SQLite (`":memory:"` without a dir), a URL with a
   * schema of its own for PostgreSQL.
   */
  fresh(dir?: string, file?: string): string;
}

/** True where a missing PostgreSQL server must fail the tests rather than skip them. */
export const postgresRequired = (env: NodeJS.ProcessEnv = process.env) => ["true", "1"].includes((env["CI"] ?? "").toLowerCase()) || env["OBC_REQUIRE_POSTGRES"] === "1";

let server: Promise<string | undefined> | undefined;
const schemas: string[] = [];

/**
 * Makes the PostgreSQL server available through `.ci/postgres` for as long as process `holder`
 * runs (the benchmarks use it too).
 * @returns its URL, or why there is none
 */
export function startPostgres(root: string, holder: number): { url: string } | { reason: string } {
  try {
    return { url: execFileSync("bash", [join(root, ".ci/postgres"), "up", String(holder)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 }).trim() };
  } catch (e) {
    return { reason: String((e as { stderr?: string }).stderr ?? e).trim().split("\n").at(-1) ?? "unknown" };
  }
}

/**
 * The test server's URL, or undefined (reason printed) when there is none outside CI.
 * @throws Error in CI when the server cannot be started
 */
export function postgresUrl(): Promise<string | undefined> {
  server ??= (async () => {
    // the holder is the test run (vitest's main process), so the server stays up between test files
    const r = startPostgres(ROOT, process.env["VITEST"] && process.send ? process.ppid : process.pid);
    if ("url" in r) return r.url;
    if (postgresRequired()) throw new Error(`PostgreSQL is required here (CI) but not available: ${r.reason}`);
    console.log(`SKIP: the PostgreSQL ledger tests: ${r.reason}`);
    return undefined;
  })();
  return server;
}

let counter = 0;
/** A schema name no other test (of this run or another checkout's) uses. */
function schemaName(): string {
  return `t${process.pid}_${Date.now().toString(36)}_${++counter}`;
}

/** SQLite, and PostgreSQL when a server is available. */
export async function ledgerBackends(): Promise<Backend[]> {
  const sqlite: Backend = { name: "sqlite", fresh: (dir, file = `ledger-${++counter}.sqlite`) => (dir === undefined ? ":memory:" : join(dir, file)) };
  const url = await postgresUrl();
  if (url === undefined) return [sqlite];
  const postgres: Backend = {
    name: "postgres",
    fresh: () => {
      const schema = schemaName();
      schemas.push(schema);
      return withSchema(url, schema);
    },
  };
  return [sqlite, postgres];
}

/** The URL of a ledger in `schema` on the server at `url`. */
export function withSchema(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("schema", schema);
  return u.toString();
}

/** Runs SQL on the test server as the test role (to tamper with a ledger, or look into it). */
export async function postgresSql(target: string, sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const u = new URL(target);
  const schema = u.searchParams.get("schema");
  u.searchParams.delete("schema");
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    if (schema) await c.query(`SET search_path TO ${schema}`);
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

/** Drops the schemas this test file created (call in afterAll). */
export async function dropTestSchemas(): Promise<void> {
  const url = schemas.length > 0 ? await postgresUrl() : undefined;
  if (url === undefined) return;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of schemas.splice(0)) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
}
