/**
 * The HTTP service on hostile requests (issue 10 §5 and the HTTP items of F02, F06 and F12):
 * only the machine itself may use it (JSON only, so no web page can make it compute without a
 * preflight the service never grants; loopback Host names only, against DNS rebinding), the
 * contract source has its own size limit apart from the data, deep nesting and garbage get
 * diagnostics instead of a 500 or a blocked worker, and bad bodies get messages that say what
 * is wrong with which field.
 */
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MAX_SOURCE, startService, type RunningService } from "../node/service/server.ts";

const PILOT = "examples/03-algebra-pilot";
const source = readFileSync(join(PILOT, "contract.obc"), "utf8");
const students = readFileSync(join(PILOT, "students.csv"), "utf8");
const checkpoints = readFileSync(join(PILOT, "checkpoints.csv"), "utf8");

interface Answer {
  status: number;
  json: Record<string, any>;
}

/** A POST with exactly the headers given (node:http, so that Host can be set). */
function send(svc: RunningService, path: string, body: string | Buffer, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: svc.port, path, method: "POST", headers: { "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, any> }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const JSON_TYPE = { "content-type": "application/json" };
const post = (svc: RunningService, path: string, body: unknown, headers: Record<string, string> = JSON_TYPE) =>
  send(svc, path, typeof body === "string" ? body : JSON.stringify(body), headers);

describe("the service, on hostile requests", () => {
  let svc: RunningService;
  beforeAll(async () => {
    // a short answer time: a request that blocks a worker shows up as a 503 here
    svc = await startService({ port: 0, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await svc?.close();
  });

  it("accepts only application/json: a form, text, or no type at all gets 415 before anything runs", async () => {
    const body = JSON.stringify({ source });
    for (const type of ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonp"]) {
      const r = await send(svc, "/check", body, { "content-type": type });
      expect(r.status, type).toBe(415);
      expect(r.json.error).toEqual({ code: "unsupported-media-type", message: "send the request as JSON, with the header Content-Type: application/json" });
    }
    expect((await send(svc, "/check", body, {})).status).toBe(415);
    expect((await send(svc, "/check", body, { "content-type": "application/json; charset=utf-8" })).status).toBe(200);
    expect((await send(svc, "/check", body, { "content-type": "Application/JSON" })).status).toBe(200);
  });

  it("answers only requests addressed to this machine (DNS rebinding gets 403)", async () => {
    const body = JSON.stringify({ source });
    for (const host of ["evil.example", `evil.example:${svc.port}`, "127.0.0.1.evil.example", "localhost.evil.example:80", "[::2]"]) {
      const r = await send(svc, "/check", body, { ...JSON_TYPE, host });
      expect(r.status, host).toBe(403);
      expect(r.json.error.code).toBe("forbidden-host");
      expect(JSON.stringify(r.json)).not.toContain("evil");
    }
    for (const host of [`localhost:${svc.port}`, `127.0.0.1:${svc.port}`, `[::1]:${svc.port}`, "localhost", `app.localhost:${svc.port}`]) {
      expect((await send(svc, "/check", body, { ...JSON_TYPE, host })).status, host).toBe(200);
    }
  });

  it(`limits the contract source to ${DEFAULT_MAX_SOURCE / 1024} KB apart from the data`, async () => {
    const big = await post(svc, "/check", { source: "// x\n".repeat(DEFAULT_MAX_SOURCE / 5 + 1) });
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe("source-too-large");
    // 3 MB of data with a small source is not refused for its size
    const rows = students.split("\n");
    const many = [rows[0], ...Array.from({ length: 40_000 }, (_, i) => rows[1 + (i % 9)]!.replace(/^[^,]+/, `X${i}`))].join("\n");
    expect(many.length).toBeGreaterThan(2_000_000);
    const r = await post(svc, "/check", { source, files: [{ label: "students.csv", text: many }, { label: "checkpoints.csv", text: checkpoints }] });
    expect(r.status).toBe(200);
    expect(r.json.ok).toBe(true);
  });

  it("F02: 180 and 2,000 nested brackets are a diagnostic, not a 500", async () => {
    const p180 = readFileSync("test/fixtures/repro/F02-deep-nesting-crash/p180-request.json");
    const a = await send(svc, "/check", p180, JSON_TYPE);
    expect(a.status).toBe(200);
    expect(a.json.ok).toBe(false);
    expect(a.json.diagnostics.map((d: { code: string }) => d.code)).toEqual(["OBC1011"]);
    const p2000 = `contract "x" {\n  data students keyed by student_id { s: score }\n  metric m = ${"(".repeat(2000)}s${")".repeat(2000)}\n}\n`;
    for (const route of ["/check", "/run", "/summary"]) {
      const b = await post(svc, route, { source: p2000, files: [] });
      expect(b.status, route).toBe(route === "/check" ? 200 : 422);
      expect(b.json.diagnostics.map((d: { code: string }) => d.code), route).toEqual(["OBC1011"]);
    }
  });

  it("F06: two sources of 500 KB of '@' answer at once, and a run sent beside them is served", async () => {
    const garbage = { source: "@".repeat(500 * 1024) };
    const [a, b, run] = await Promise.all([
      post(svc, "/check", garbage),
      post(svc, "/check", garbage),
      post(svc, "/run", { source, files: [{ label: "students.csv", text: students }, { label: "checkpoints.csv", text: checkpoints }], asOf: "2027-07-01" }),
    ]);
    for (const r of [a, b]) {
      expect(r.status).toBe(200);
      expect(r.json.diagnostics.map((d: { code: string }) => d.code)).toEqual(["OBC1003"]);
    }
    expect(run.status).toBe(200);
    expect(run.json.result.totals.paid).toBe("5560.00");
  });

  it("F12: says what is wrong with the body and which field, never ' is required'", async () => {
    for (const body of ['"x"', "[]", "null", "42"]) {
      const r = await post(svc, "/check", body);
      expect(r.status, body).toBe(400);
      expect(r.json.error, body).toEqual({ code: "invalid-request", message: 'the request body must be a JSON object, such as {"source": "contract …"}', path: "" });
    }
    expect((await post(svc, "/run", { files: "a" })).json.error).toEqual({ code: "invalid-request", message: "source is required; files must be a list", path: "source" });
    expect((await post(svc, "/run", { source, files: "a" })).json.error).toEqual({ code: "invalid-request", message: "files must be a list", path: "files" });
    expect((await post(svc, "/run", { source, files: [5] })).json.error).toEqual({ code: "invalid-request", message: "files.0 must be an object", path: "files.0" });
    expect((await post(svc, "/run", { source, files: [{ label: "a.csv" }] })).json.error).toEqual({ code: "invalid-request", message: "files.0.text is required", path: "files.0.text" });
    expect((await post(svc, "/run", { source: 5 })).json.error).toEqual({ code: "invalid-request", message: "source must be text", path: "source" });
    expect((await post(svc, "/run", { source, strict: "yes" })).json.error).toEqual({ code: "invalid-request", message: "strict must be true or false", path: "strict" });
  });
});
