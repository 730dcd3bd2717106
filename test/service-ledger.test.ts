/**
 * The ledger over HTTP (`obc serve --ledger`): POST /settle records an attested drop and its
 * settlement as `obc settle --data` does (the same JSON), refuses what the command refuses
 * without writing anything, and GET /ledger/… answers what `obc ledger --json` prints.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startService, type RunningService } from "../node/service/server.ts";
import { settleCommand } from "../cli/settle.ts";
import { ledgerCommand } from "../cli/ledger.ts";
import { serveCommand } from "../cli/serve.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const PILOT = join(ROOT, "examples/03-algebra-pilot");
const NOW = "2027-07-02T09:00:00.000Z";
const STACK = /\n\s+at |Error:|node:internal|\.ts:\d+/;

let dir: string;
let svc: RunningService;
let source: string;
let students: Buffer;
let checkpoints: string;

async function call(method: "GET" | "POST", path: string, body?: unknown) {
  const r = await fetch(svc.url + path, { method, headers: { "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  expect(text).not.toMatch(STACK);
  return { status: r.status, json: JSON.parse(text) as Record<string, any> };
}

function io() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd: PILOT } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "obc-service-ledger-"));
  source = await readFile(join(PILOT, "contract.obc"), "utf8");
  students = await readFile(join(PILOT, "students.csv"));
  checkpoints = await readFile(join(PILOT, "checkpoints.csv"), "utf8");
  svc = await startService({ port: 0, isolation: "inline", ledger: join(dir, "http.sqlite"), now: () => NOW });
});
afterAll(async () => {
  await svc?.close();
  await rm(dir, { recursive: true, force: true });
});

const drop = () => ({
  source,
  asOf: "2027-07-01",
  suppliedBy: "Lakeview Unified School District",
  attestedBy: "Data Office",
  // the same bytes as the command reads, one file as text and one as base64
  files: [
    { label: "students.csv", base64: students.toString("base64") },
    { label: "checkpoints.csv", text: checkpoints },
  ],
});

describe("POST /settle and GET /ledger/… (obc serve --ledger)", () => {
  it("settles an attested drop, recording what obc settle --data records, and settles it once", async () => {
    const r = await call("POST", "/settle", drop());
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, status: "recorded", settlement: 1, drop: 1, currency: "USD", net: "5560.00", adjustments: "0.00", roster: 9 });

    // the command on its own ledger, same files and clock: the same JSON
    const cli = io();
    const code = await settleCommand(
      { contract: "contract.obc", data: ["students.csv", "checkpoints.csv"], asOf: "2027-07-01", now: NOW, suppliedBy: "Lakeview Unified School District", attestedBy: "Data Office", ledger: join(dir, "cli.sqlite"), json: true },
      cli.io,
    );
    expect(cli.out.stderr).toBe("");
    expect(code).toBe(0);
    expect({ ok: true, ...JSON.parse(cli.out.stdout) }).toEqual(r.json);

    const again = await call("POST", "/settle", drop());
    expect(again.status).toBe(200);
    expect(again.json).toMatchObject({ ok: true, status: "duplicate", settlement: 1, lines: [] });
  });

  it("answers the ledger's history, balances, contracts and verification as obc ledger --json prints them", async () => {
    const history = await call("GET", "/ledger/settlements");
    expect(history.status).toBe(200);
    expect(history.json.settlements).toHaveLength(1);
    expect(history.json.settlements[0]).toMatchObject({ id: 1, asOf: "2027-07-01", createdAt: NOW, payments: "5560.00", net: "5560.00", drop: 1, contractTitle: "Algebra readiness pilot" });
    const cli = io();
    expect(await ledgerCommand({ ledger: join(dir, "http.sqlite"), json: true }, cli.io)).toBe(0);
    expect(history.json.settlements).toEqual(JSON.parse(cli.out.stdout));

    const payers = await call("GET", "/ledger/balances?by=payer");
    expect(payers.json).toEqual({
      ok: true,
      by: "payer",
      currency: "USD",
      balances: [
        { key: "district", amount: "3336.00", lines: expect.any(Number) },
        { key: "philanthropy", amount: "2224.00", lines: expect.any(Number) },
      ],
    });
    const byStudent = await call("GET", "/ledger/balances?by=student&contract=Algebra%20readiness%20pilot");
    // the identified students: the others have no lines
    expect(byStudent.json.balances).toHaveLength(7);
    expect(byStudent.json.balances.reduce((a: number, b: { amount: string }) => a + Math.round(Number(b.amount) * 100), 0)).toBe(556000);

    const contracts = await call("GET", "/ledger/contracts");
    expect(contracts.json.contracts.map((c: { title: string }) => c.title)).toEqual(["Algebra readiness pilot"]);
    const verify = await call("GET", "/ledger/verify");
    expect(verify.json).toMatchObject({ ok: true, problems: [], settlements: 1 });
    expect(verify.json.head).toMatch(/^[0-9a-f]{64}$/);

    expect(await call("GET", "/ledger/balances?by=school")).toMatchObject({ status: 400, json: { error: { code: "invalid-request", path: "by" } } });
    expect(await call("GET", "/ledger/settlements?student=S001")).toMatchObject({ status: 400, json: { error: { code: "invalid-request", path: "student" } } });
    expect(await call("GET", "/ledger/settlements?contract=nothing")).toMatchObject({ status: 404, json: { error: { code: "unknown-contract" } } });
    expect((await call("POST", "/ledger/settlements", {})).status).toBe(405);
  });

  it("refuses doubtful data, unattested files and a contract with errors, recording nothing", async () => {
    const bad = students.toString("utf8").replace(/\n(P\w+),8,/, "\n$1,eight,");
    const r = await call("POST", "/settle", { ...drop(), files: [{ label: "students.csv", text: bad }, { label: "checkpoints.csv", text: checkpoints }] });
    expect(r.status).toBe(422);
    expect(r.json.error.code).toBe("data-errors");
    expect(r.json.error.message).toMatch(/nothing was settled; see problems$/);
    expect(r.json.problems.length).toBeGreaterThan(0);
    expect(JSON.stringify(r.json)).not.toContain("eight");

    const unattested = await call("POST", "/settle", { ...drop(), attestedBy: undefined });
    expect(unattested).toMatchObject({ status: 400, json: { error: { code: "invalid-request", path: "attestedBy" } } });
    const invalid = await call("POST", "/settle", { ...drop(), source: source.replace("currency USD", "currency") });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.code).toBe("invalid-contract");

    // a shrunken roster beyond the limit: refused by the ledger's rules (409), with the reason's kind
    const fewer = students.toString("utf8").split("\n").slice(0, 4).join("\n") + "\n";
    const shrunk = await call("POST", "/settle", { ...drop(), asOf: "2027-07-01", files: [{ label: "students.csv", text: fewer }, { label: "checkpoints.csv", text: checkpoints }] });
    expect(shrunk.status).toBe(409);
    expect(shrunk.json.error.code).toBe("refused");
    expect(shrunk.json.reason).toBe("shrink");

    expect((await call("GET", "/ledger/settlements")).json.settlements).toHaveLength(1);
    expect((await call("GET", "/ledger/verify")).json.ok).toBe(true);
  });

  it("documents the routes with their operationIds, and answers 404 no-ledger in a service without one", async () => {
    const doc = (await call("GET", "/openapi.json")).json;
    expect(doc.paths["/settle"].post.operationId).toBe("settleDrop");
    expect(doc.paths["/ledger/balances"].get.operationId).toBe("getBalances");
    expect(doc.components.schemas.SettleRequest.required).toEqual(["source", "files", "asOf", "suppliedBy", "attestedBy"]);
    const plain = await startService({ port: 0, isolation: "inline" });
    try {
      const r = await fetch(plain.url + "/ledger/settlements");
      expect(r.status).toBe(404);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe("no-ledger");
    } finally {
      await plain.close();
    }
  });
});

describe("obc serve --ledger", () => {
  it("creates the ledger beside the command's folder, serves its routes, and exits 4 for a ledger that is not one", async () => {
    const ac = new AbortController();
    const err: string[] = [];
    let url = "";
    const done = serveCommand(
      { port: 0, inline: true, ledger: "served.sqlite", signal: ac.signal, onListening: (u) => (url = u) },
      { stdout: () => {}, stderr: (s) => void err.push(s), cwd: dir },
    );
    while (!url && err.length === 0) await new Promise((r) => setTimeout(r, 10));
    const v = await fetch(url + "/ledger/verify");
    expect(await v.json()).toMatchObject({ ok: true, settlements: 0 });
    ac.abort();
    expect(await done).toBe(0);
    expect(err[0]).toContain("/settle; GET /ledger/settlements /ledger/balances /ledger/contracts /ledger/verify;");
    expect(existsSync(join(dir, "served.sqlite"))).toBe(true);

    await writeFile(join(dir, "not-a-ledger.sqlite"), "just text\n");
    const bad: string[] = [];
    expect(await serveCommand({ port: 0, inline: true, ledger: "not-a-ledger.sqlite" }, { stdout: () => {}, stderr: (s) => void bad.push(s), cwd: dir })).toBe(4);
    expect(bad.join("")).toMatch(/^obc serve: .*not-a-ledger\.sqlite/);
  });
});
