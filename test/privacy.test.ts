/**
 * Privacy: pseudonymous keys, secrets that never show, no student value in any problem,
 * message or error response, and funders' aggregates with small cells suppressed.
 *
 * The fixture (test/fixtures/privacy) has bad rows whose cells hold recognisable names and ids;
 * none of them may appear anywhere but in the data itself.
 */
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptFiles } from "../node/adapters/index.ts";
import { hmacKeys, loadSecret, SecretError, MIN_SECRET_BITS, MIN_SECRET_BYTES, secretEntropyBits } from "../node/privacy.ts";
import { aggregateForFunders, renderAggregateCsv, type AggregateGroup, type FunderAggregate } from "../node/aggregate.ts";
import { adaptCommand } from "../cli/adapt.ts";
import { settleCommand } from "../cli/settle.ts";
import { compileSource } from "../language/driver.ts";
import { runContract } from "../engine/index.ts";
import { startService, type RunningService } from "../node/service/server.ts";

const ROOT = resolve(fileURLToPath(new URL("..", import.meta.url)));
const FIX = join(ROOT, "test/fixtures/privacy");
const SECRET = "district-held secret: 7f3a9c0e5b2d41e8";
const SENSITIVE = [
  "ZQX-7731-QUIXOTE",
  "MVX-7732-VANTERPOOL",
  "TKX-7733-KOWALCZYK",
  "UNKNOWN-KID-0042",
  "Zebulon",
  "Quixote",
  "Marisol",
  "Vanterpool",
  "Tadeusz",
  "Kowalczyk",
  "Persephone",
  "Brightwater",
  "forty-five",
];

function expectNoStudentValue(text: string, what: string): void {
  for (const v of SENSITIVE) expect(text, `${what} contains "${v}"`).not.toContain(v);
  expect(text, `${what} contains the secret`).not.toContain(SECRET);
}

const capture = (cwd: string, env: Record<string, string | undefined> = {}) => {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), cwd, env } };
};

describe("pseudonymous keys", () => {
  it("are HMAC-SHA256(secret, idSystem:localId), stable, and differ by secret and id system", () => {
    const k = hmacKeys(Buffer.from(SECRET));
    const expected = createHmac("sha256", SECRET).update("sis:000417").digest("hex");
    expect(k("000417", "sis")).toBe(expected);
    expect(k("000417", "sis")).toMatch(/^[0-9a-f]{64}$/);
    expect(k("000417", "state")).not.toBe(expected);
    expect(hmacKeys(Buffer.from(SECRET + "x"))("000417", "sis")).not.toBe(expected);
    // never a plain hash of the id
    expect(expected).not.toBe(createHash("sha256").update("000417").digest("hex"));
    expect(expected).not.toBe(createHash("sha256").update("sis:000417").digest("hex"));
  });

  it("load the secret from an environment variable or a file, and never show it", async () => {
    expect((await loadSecret({}, { OBC_PSEUDONYM_SECRET: SECRET })).toString()).toBe(SECRET);
    expect((await loadSecret({ secretEnv: "MY_KEY" }, { MY_KEY: SECRET })).toString()).toBe(SECRET);
    const dir = await mkdtemp(join(tmpdir(), "obc-secret-"));
    try {
      await writeFile(join(dir, "secret.txt"), SECRET + "\n");
      expect((await loadSecret({ secretFile: join(dir, "secret.txt") }, {})).toString()).toBe(SECRET);
      await writeFile(join(dir, "short.txt"), "tooshort");
      const errors: SecretError[] = [];
      const attempts = [
        () => loadSecret({ secretFile: join(dir, "short.txt") }, {}),
        () => loadSecret({}, {}),
        () => loadSecret({}, { OBC_PSEUDONYM_SECRET: "tooshort" }),
        () => loadSecret({ secretFile: join(dir, "none.txt") }, {}),
      ];
      for (const attempt of attempts) {
        await attempt().then(
          () => expect.unreachable(),
          (e: unknown) => errors.push(e as SecretError),
        );
      }
      expect(errors.map((e) => [e instanceof SecretError, e.kind])).toEqual([[true, "usage"], [true, "usage"], [true, "usage"], [true, "file"]]);
      expect(errors[0].message).toBe(`the pseudonymisation secret is too short: use at least ${MIN_SECRET_BYTES} bytes (32 random bytes recommended)`);
      for (const e of errors) expect(e.message).not.toContain("tooshort");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("F12: refuses a guessable secret of the right length, and accepts random ones", async () => {
    for (const weak of ["aaaaaaaaaaaaaaaa", "abababababababababababab", "0123456789abcdef", "1111111111111111111111111111111122222222"]) {
      const err = await loadSecret({}, { OBC_PSEUDONYM_SECRET: weak }).catch((e: unknown) => e);
      expect(err, weak).toBeInstanceOf(SecretError);
      expect((err as SecretError).kind).toBe("usage");
      expect((err as SecretError).message).toBe(
        "the pseudonymisation secret is too predictable (too few different characters for its length), so student ids could be recovered by guessing it: use 32 random bytes, e.g. the output of `openssl rand -hex 32`",
      );
      expect(secretEntropyBits(Buffer.from(weak))).toBeLessThan(MIN_SECRET_BITS);
    }
    // what the docs recommend, and a 16-byte random key, pass
    for (const strong of [randomBytes(32).toString("hex"), randomBytes(16).toString("hex"), randomBytes(24).toString("base64"), SECRET]) {
      expect((await loadSecret({}, { OBC_PSEUDONYM_SECRET: strong })).toString()).toBe(strong);
    }
  });
});

describe("no student value in data-quality reports, messages or files", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "obc-privacy-"));
    await writeFile(join(dir, "secret.key"), SECRET);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const files = () => [join(FIX, "students.csv"), join(FIX, "sessions.csv")];

  it("the adapters' report names file, row, column and rule only", async () => {
    const r = await adaptFiles(files().map((path) => ({ format: "datas" as const, path, label: path.replace(/^.*\//, "") })));
    const [students, sessions] = r.quality.files;
    expect(students.rejections).toEqual([{ file: "students.csv", row: 5, column: "student_id", rule: "duplicate" }]);
    expect(students.cellProblems).toEqual([
      { file: "students.csv", row: 3, column: "current_grade_level", rule: "not-a-grade" },
      { file: "students.csv", row: 3, column: "ell", rule: "not-a-yes-no" },
      { file: "students.csv", row: 4, column: "math_outcome_measure_2", rule: "not-a-number" },
    ]);
    expect(sessions.rejections).toEqual([
      { file: "sessions.csv", row: 3, column: "session_date", rule: "not-a-date" },
      { file: "sessions.csv", row: 4, column: "session_duration", rule: "not-a-number" },
      { file: "sessions.csv", row: 7, column: "student_id", rule: "missing-key" },
    ]);
    expect(sessions.cellProblems).toEqual([{ file: "sessions.csv", row: 6, column: "session_topic", rule: "unknown-subject" }]);
    expect(r.quality.crossFile).toEqual([
      { rule: "unknown-student", file: "sessions.csv", otherFile: "students.csv", students: 1, rows: [5] },
      { rule: "not-in-file", file: "students.csv", otherFile: "sessions.csv", students: 1 },
    ]);
    expectNoStudentValue(JSON.stringify(r.quality), "the quality report");
  });

  it("obc adapt: stderr and the JSON report hold no value; --pseudonymize leaves no raw id in the output", async () => {
    const a = capture(dir);
    const code = await adaptCommand(
      { format: "datas", files: files(), contract: join(FIX, "contract.obc"), dataSet: "students", pseudonymize: true, secretFile: "secret.key", out: "out.csv", quality: "quality.json" },
      a.io,
    );
    expect(code).toBe(0);
    expectNoStudentValue(a.out.stderr, "adapt stderr");
    expectNoStudentValue(a.out.stdout, "adapt stdout");
    expectNoStudentValue(await readFile(join(dir, "quality.json"), "utf8"), "quality.json");
    const csv = await readFile(join(dir, "out.csv"), "utf8");
    expectNoStudentValue(csv, "the pseudonymised CSV");
    const keys = hmacKeys(Buffer.from(SECRET));
    expect(csv).toBe(
      [
        "student_id,grade,english_learner,sessions,attended_minutes",
        `${keys("ZQX-7731-QUIXOTE", "sis")},8,false,1,45`,
        `${keys("MVX-7732-VANTERPOOL", "sis")},,,0,0`,
        `${keys("TKX-7733-KOWALCZYK", "sis")},7,true,1,30`,
        "",
      ].join("\n"),
    );
    // strict: nothing written, exit 3, still no value
    const b = capture(dir, { OBC_PSEUDONYM_SECRET: SECRET });
    expect(await adaptCommand({ format: "datas", files: files(), contract: join(FIX, "contract.obc"), dataSet: "students", pseudonymize: true, strict: true }, b.io)).toBe(3);
    expect(b.out.stdout).toBe("");
    expectNoStudentValue(b.out.stderr, "strict adapt stderr");
    // a missing secret is a usage error that shows no secret
    const c = capture(dir, {});
    expect(await adaptCommand({ format: "datas", files: files(), contract: join(FIX, "contract.obc"), dataSet: "students", pseudonymize: true }, c.io)).toBe(2);
    expect(c.out.stderr).toBe("obc adapt: no pseudonymisation secret: set the environment variable OBC_PSEUDONYM_SECRET or give --secret-file\n");
  });

  it("the engine's problems and obc settle's messages hold no value", async () => {
    const source = readFileSync(join(FIX, "contract.obc"), "utf8");
    const bad = "student_id,grade,english_learner,sessions,attended_minutes\nZQX-7731-QUIXOTE,Zebulon Quixote,Marisol Vanterpool,forty-five,30\nZQX-7731-QUIXOTE,8,true,1,30\nTKX-7733-KOWALCZYK,7,,Tadeusz Kowalczyk,\n";
    const run = await runContract(compileSource(source).ir!, source, [{ label: "students.csv", text: bad, dataSet: "students" }]);
    expect(run.problems.length).toBeGreaterThanOrEqual(4);
    expectNoStudentValue(JSON.stringify(run.problems), "engine problems");
    await writeFile(join(dir, "bad.csv"), bad);
    await writeFile(join(dir, "contract.obc"), source);
    // settlement is always strict: the bad rows stop it (exit 3), and its messages hold no value
    const s = capture(dir);
    const code = await settleCommand({ contract: "contract.obc", data: ["students=bad.csv"], asOf: "2026-06-30", now: "2026-07-01T00:00:00Z", ledger: "l.sqlite", suppliedBy: "District", attestedBy: "Registrar" }, s.io);
    expect(code).toBe(3);
    expectNoStudentValue(s.out.stderr, "settle stderr");
  });

  it("the service's error responses hold no value", async () => {
    const svc: RunningService = await startService({ port: 0, isolation: "inline" });
    try {
      const source = readFileSync(join(FIX, "contract.obc"), "utf8");
      const bodies = [
        { source, files: [{ label: "students.csv", text: "student_id,grade\nZQX-7731-QUIXOTE,Zebulon Quixote\n" }], strict: true },
        { source, asOf: "Marisol Vanterpool" },
        { source, files: [{ label: "Tadeusz Kowalczyk", text: 42 }] },
        { source, strict: "Persephone Brightwater" },
        { source: "contract \"x\" { Zebulon Quixote }" },
      ];
      const texts: string[] = [];
      for (const [i, b] of bodies.entries()) {
        const r = await fetch(svc.url + (i === 4 ? "/compile" : "/run"), { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(b) });
        expect(r.status, JSON.stringify(b)).toBeGreaterThanOrEqual(400);
        texts.push(await r.text());
      }
      // a contract's own text in its diagnostics is the author's, not a student's: only check the data and field errors
      for (const t of texts.slice(0, 4)) expectNoStudentValue(t, "service error");
      expect(JSON.parse(texts[0]).error.code).toBe("data-errors");
      expect(JSON.parse(texts[1]).error).toEqual({ code: "invalid-request", message: "asOf: write the date as YYYY-MM-DD", path: "asOf" });
    } finally {
      await svc.close();
    }
  });
});

// ───────────────────────────── funders' aggregates ─────────────────────────────

describe("aggregate output for funders", () => {
  const PILOT = join(ROOT, "examples/03-algebra-pilot");
  const source = readFileSync(join(PILOT, "contract.obc"), "utf8");
  let agg: FunderAggregate;
  let el: Map<string, string>;
  beforeAll(async () => {
    const rows = ["student_id,grade,english_learner,iep,diagnostic_date,first_session_date,sessions_by_feb28,boy_score,eoy_score,exit_date"];
    el = new Map();
    for (let i = 0; i < 60; i++) {
      const id = `STU-${String(i).padStart(3, "0")}`;
      // 7 English learners; every third student reaches 75, the others grow to 62; 12 miss the dosage milestone
      rows.push(`${id},8,${i < 7},false,2026-09-20,2026-10-01,${i % 5 === 0 ? 20 : 31},50,${i % 3 === 0 ? 75 : 62},`);
      el.set(id, i < 7 ? "yes" : "no");
    }
    const run = await runContract(compileSource(source).ir!, source, [
      { label: "students.csv", text: rows.join("\n") + "\n", dataSet: "students" },
      { label: "checkpoints.csv", text: readFileSync(join(PILOT, "checkpoints.csv"), "utf8"), dataSet: "checkpoints" },
    ], { asOf: "2027-07-01" });
    expect(run.ok).toBe(true);
    agg = aggregateForFunders(run.result!, { dimensions: { english_learner: el } });
  });

  const group = (d: string, g: string) => agg.groups.find((x) => x.dimension === d && x.group === g)!;

  it("publishes totals per clause and payer for the whole cohort", () => {
    expect(agg.minCell).toBe(10);
    expect(agg.total.students).toEqual({ students: 60 });
    // by hand: 60 × $200 onboarded, 48 × $300 dosage, 17 × $900 + 3 × $1,080 ready, 36 × $400 + 4 × $480 growth
    expect(agg.total.paid).toEqual({ students: 60, amount: "61260.00" });
    expect(agg.total.clauses.algebra_ready).toEqual({ students: 20, amount: "18540.00" });
    expect(agg.total.clauses.growth).toEqual({ students: 40, amount: "16320.00" });
    expect(agg.total.payers).toEqual({ district: { students: 60, amount: "36756.00" }, philanthropy: { students: 60, amount: "24504.00" } });
    expect(agg.total.clauses.onboarded).toEqual({ students: 60, amount: "12000.00" });
    expect(agg.total.clauses.dosage).toEqual({ students: 48, amount: "14400.00" });
  });

  it("suppresses a group under the minimum, and its complement so it cannot be recovered by subtraction", () => {
    expect(group("english_learner", "yes").students).toEqual({ suppressed: "primary" });
    expect(group("english_learner", "yes").paid).toEqual({ suppressed: "primary" });
    expect(group("english_learner", "no").students).toEqual({ suppressed: "complementary" });
    expect(group("english_learner", "no").paid).toEqual({ suppressed: "complementary" });
    expect(agg.suppressed.primary).toBeGreaterThan(0);
    expect(agg.suppressed.complementary).toBeGreaterThan(0);
  });

  it("leaves no additive relation with exactly one suppressed cell", () => {
    const cells = (g: AggregateGroup) => [
      ["students", g.students],
      ["paid", g.paid],
      ...Object.entries(g.clauses).map(([k, c]) => [`clause:${k}`, c] as const),
      ...Object.entries(g.payers).map(([k, c]) => [`payer:${k}`, c] as const),
    ] as const;
    for (const d of new Set(agg.groups.map((g) => g.dimension))) {
      const gs = agg.groups.filter((g) => g.dimension === d);
      for (const [measure, totalCell] of cells(agg.total)) {
        const members = [totalCell, ...gs.map((g) => Object.fromEntries(cells(g))[measure])];
        expect(members.filter((c) => c.suppressed).length, `${d} ${measure}`).not.toBe(1);
      }
    }
    for (const g of [agg.total, ...agg.groups]) {
      expect([g.paid, ...Object.values(g.clauses)].filter((c) => c.suppressed).length).not.toBe(1);
      expect([g.paid, ...Object.values(g.payers)].filter((c) => c.suppressed).length).not.toBe(1);
    }
  });

  it("holds no student id; a cohort under the minimum publishes nothing about students", async () => {
    const text = JSON.stringify(agg) + renderAggregateCsv(agg);
    expect(text).not.toMatch(/STU-\d{3}/);
    expect(renderAggregateCsv(agg).split("\n")[0]).toBe("dimension,group,measure,students,amount,suppressed");
    const run = await runContract(compileSource(source).ir!, source, [
      { label: "students.csv", text: readFileSync(join(PILOT, "students.csv"), "utf8"), dataSet: "students" },
      { label: "checkpoints.csv", text: readFileSync(join(PILOT, "checkpoints.csv"), "utf8"), dataSet: "checkpoints" },
    ], { asOf: "2027-07-01" });
    const nine = aggregateForFunders(run.result!);
    expect(nine.total.students).toEqual({ suppressed: "primary" });
    expect(nine.total.paid).toEqual({ suppressed: "primary" });
    expect(JSON.stringify(nine)).not.toMatch(/"P\d"/);
  });

  it("with a minimum of 5, the 7 English learners are published", async () => {
    const rows = ["student_id,grade,english_learner,iep,diagnostic_date,first_session_date,sessions_by_feb28,boy_score,eoy_score,exit_date"];
    for (let i = 0; i < 60; i++) rows.push(`STU-${String(i).padStart(3, "0")},8,${i < 7},false,2026-09-20,2026-10-01,31,50,75,`);
    const run = await runContract(compileSource(source).ir!, source, [
      { label: "students.csv", text: rows.join("\n") + "\n", dataSet: "students" },
      { label: "checkpoints.csv", text: readFileSync(join(PILOT, "checkpoints.csv"), "utf8"), dataSet: "checkpoints" },
    ], { asOf: "2027-07-01" });
    const a = aggregateForFunders(run.result!, { minCell: 5, dimensions: { english_learner: el } });
    const yes = a.groups.find((g) => g.dimension === "english_learner" && g.group === "yes")!;
    expect(yes.students).toEqual({ students: 7 });
    // weighted 1.2: 7 × $1,080 capped at $1,600 per student with $200 + $300 milestones: 7 × $1,580
    expect(yes.paid).toEqual({ students: 7, amount: "11060.00" });
  });
});
