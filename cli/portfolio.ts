/**
 * `obc portfolio …`: the intermediary's desk over a portfolio of contracts.
 *
 *   obc portfolio generate DIR [--seed N] [--students N] [--districts N] [--providers N]
 *   obc portfolio check PORTFOLIO
 *   obc portfolio status PORTFOLIO [--as-of DATE] [--ledger F|URL] [--json]
 *   obc portfolio drop PORTFOLIO CONTRACT --data SET=FILE… --as-of DATE --supplied-by WHO [--supersedes DROP --reason TEXT] [--ledger F|URL] [--now ISO]
 *   obc portfolio attest PORTFOLIO --as-of DATE --by NAME [--role district|evaluator] [--district ID | --contract ID…] [--drop ID] [--note TEXT]
 *   obc portfolio settle PORTFOLIO --as-of DATE [--ledger F|URL] [--now ISO] [--contract ID]… [--accept ID=REASON]… [--dry-run] [--json]
 *   obc portfolio monitor PORTFOLIO --as-of DATE [--contract ID]… [--days N] [--runs N] [--seed N] [--json]
 *   obc portfolio statement PORTFOLIO (--payer NAME | --all) (--month YYYY-MM | --from DATE --to DATE) [--format docx|xlsx|csv|json] (--out F | --out-dir DIR)
 *   obc portfolio view PORTFOLIO --role district|provider|funder|evaluator [--for ID|NAME] [--as-of DATE] [--json|--csv] [--secret-file F]
 *
 * The ledger is an SQLite file or a PostgreSQL database (`postgres://…`).
 *
 * Exit codes: 0 success; 1 the portfolio or a contract has errors; 2 bad usage; 3 a contract's
 * drop was not settled (not attested, or refused by the ledger: data errors, a shrinking roster,
 * reversals without a reason; the others were settled); 4 a file or the ledger could not be
 * read or written.
 */
import { existsSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { CommandError, EXIT, formatCents, isIsoDate, resolvePath, runCommand, type CommandIO } from "../node/cli-support.ts";
import { loadPortfolio, renderProblem, type Portfolio } from "../node/portfolio/format.ts";
import { generatePortfolio, writePortfolio } from "../node/portfolio/generate.ts";
import { deskJson } from "../node/portfolio/json.ts";
import { DEFAULT_LEDGER, ledgerLines } from "../node/portfolio/ledger.ts";
import { runPortfolio } from "../node/portfolio/run.ts";
import { attestPortfolio, settlePortfolio, type ContractSettlement } from "../node/portfolio/settle.ts";
import { fromCents, LedgerFileError, MigrationError, type Ledger } from "../node/ledger/index.ts";
import { withLedger } from "./ledger.ts";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fsReason } from "../node/cli-support.ts";
import { renderAggregateCsv } from "../node/aggregate.ts";
import { DEFAULT_SECRET_ENV, hmacKeys, loadSecret, SecretError } from "../node/privacy.ts";
import { ledgerTotals, recordDrop } from "../node/portfolio/ledger.ts";
import { DropError, unreadableDropFile, writeDrop } from "../node/portfolio/drops.ts";
import { monitorPortfolio, type PortfolioMonitor } from "../node/portfolio/monitor.ts";
import { buildStatement, payersOf, type Statement } from "../node/portfolio/statement.ts";
import { statementCsv, statementDocx, statementXlsx } from "../node/portfolio/statement-render.ts";
import { roleView, ROLES, type Role, type RoleView } from "../node/portfolio/views.ts";
import { latestValues } from "../node/portfolio/run.ts";
import { portfolioStatus, type PortfolioStatus, type Rollup } from "../node/portfolio/status.ts";
import { renderTable, SEPARATOR, type Row } from "./table.ts";

// ───────────────────────────── shared ─────────────────────────────

/** Loads and checks a portfolio; prints its problems; stops with exit 1 on errors. */
export function loadOrFail(io: CommandIO, path: string): Portfolio {
  const { portfolio, problems } = loadPortfolio(path, { cwd: io.cwd ?? process.cwd() });
  for (const p of problems) {
    io.stderr(renderProblem(p) + "\n");
    if (p.detail) io.stderr(p.detail);
  }
  if (!portfolio) {
    const unreadable = problems.length === 1 && /cannot read the portfolio/.test(problems[0]!.message);
    const n = problems.filter((p) => p.severity === "error").length;
    throw new CommandError(unreadable ? EXIT.file : EXIT.invalid, unreadable ? `cannot read ${path}` : `${path} has ${n} error${n === 1 ? "" : "s"}; fix them first`);
  }
  return portfolio;
}

const isUrl = (t: string) => /^postgres(ql)?:\/\//i.test(t);

/** Opens the ledger for reading: an SQLite file that does not exist yet reads as an empty ledger. */
async function readingLedger<T>(io: CommandIO, command: string, target: string | undefined, body: (l: Ledger | undefined) => Promise<T>): Promise<T> {
  const t = target ?? DEFAULT_LEDGER;
  if (!isUrl(t) && !existsSync(resolvePath(io, t))) return body(undefined);
  return withLedger(io, command, t, {}, body);
}

const today = () => new Date().toISOString().slice(0, 10);

function dateOption(v: string | undefined, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (!isIsoDate(v)) throw new CommandError(EXIT.usage, `${name}: write the date as YYYY-MM-DD, e.g. 2027-01-10`);
  return v;
}

function nowOption(v: string | undefined): string {
  const now = v ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(now)) || !isIsoDate(now.slice(0, 10))) throw new CommandError(EXIT.usage, "--now: write an ISO date and time, e.g. 2027-07-01T09:00:00Z");
  return now;
}

// ───────────────────────────── generate ─────────────────────────────

export interface GenerateCommandOptions {
  dir: string;
  seed?: number;
  students?: number;
  districts?: number;
  providers?: number;
}

export async function portfolioGenerate(o: GenerateCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio generate", io, async () => {
    const abs = resolvePath(io, o.dir);
    if (existsSync(`${abs}/portfolio.json`)) throw new CommandError(EXIT.usage, `${o.dir} already holds a portfolio.json; choose an empty folder`);
    let g;
    try {
      g = generatePortfolio({ ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(o.students !== undefined ? { students: o.students } : {}), ...(o.districts !== undefined ? { districts: o.districts } : {}), ...(o.providers !== undefined ? { providers: o.providers } : {}) });
    } catch (e) {
      if (e instanceof RangeError) throw new CommandError(EXIT.usage, e.message);
      throw e;
    }
    try {
      writePortfolio(abs, g);
    } catch (e) {
      throw new CommandError(EXIT.file, `cannot write ${o.dir}: ${(e as { code?: string }).code ?? "error"}`);
    }
    const drops = [...g.files.keys()].filter((k) => k.endsWith("/drop.json")).length;
    io.stdout(`wrote ${o.dir}/portfolio.json: ${g.contracts.length} contracts, ${drops} drops (${g.files.size} files)\n`);
    return EXIT.ok;
  });
}

// ───────────────────────────── check ─────────────────────────────

export async function portfolioCheck(o: { portfolio: string }, io: CommandIO): Promise<number> {
  return runCommand("portfolio check", io, async () => {
    const p = loadOrFail(io, o.portfolio);
    const drops = p.contracts.reduce((a, c) => a + c.drops.length, 0);
    io.stdout(`✓ ${o.portfolio}: ${p.contracts.length} contract${p.contracts.length === 1 ? "" : "s"}, ${p.districts.length} district${p.districts.length === 1 ? "" : "s"}, ${p.providers.length} provider${p.providers.length === 1 ? "" : "s"}, ${drops} drop${drops === 1 ? "" : "s"}: no problems found\n`);
    return EXIT.ok;
  });
}

// ───────────────────────────── status ─────────────────────────────

export interface StatusCommandOptions {
  portfolio: string;
  asOf?: string;
  ledger?: string;
  json?: boolean;
}

/** The status as tables. */
export function renderStatus(s: PortfolioStatus): string {
  const m = (c: bigint | null) => (c === null ? "unbounded" : formatCents(c, s.currency));
  const out: string[] = [`${s.portfolio} — as of ${s.date} — amounts in ${s.currency}`, ""];
  const rows: Row[] = s.contracts.map((c) => {
    const caps: string[] = [];
    if (c.caps.contract?.binds) caps.push("contract cap binds");
    if (c.caps.studentsAtCap > 0) caps.push(`${c.caps.studentsAtCap} at student cap`);
    const esc = c.escalations.filter((e) => e.period !== undefined).map((e) => `L${e.level} ${e.period}${e.withholding ? " (withholding)" : ""}${e.terminationRight ? " (may terminate)" : ""}`);
    const q = c.quality;
    const data = !c.drop ? "no drop" : !c.ran ? "stopped" : q && q.errors > 0 ? `${q.errors} error${q.errors === 1 ? "" : "s"}` : q && q.warnings > 0 ? `${q.warnings} warning${q.warnings === 1 ? "" : "s"}` : "ok";
    const next = c.deadlines[0];
    return [
      c.id,
      c.drop ? `${c.drop.id}${c.drop.supersedes ? " (correction)" : ""}` : "-",
      String(c.students),
      m(c.paid),
      m(c.owed),
      m(c.withheld),
      m(c.contingent),
      caps.join(", ") || "-",
      esc.join(", ") || "-",
      data,
      next ? `${next.date} ${next.what}` : "-",
    ];
  });
  rows.push(SEPARATOR, ["Total", "", String(s.total.students), m(s.total.paid), m(s.total.owed), m(s.total.withheld), m(s.total.contingent), "", "", "", ""]);
  out.push("Contracts");
  out.push(renderTable(["Contract", "Drop", "Students", "Paid", "Owed", "Withheld", "Contingent", "Caps", "Escalation", "Data", "Next deadline"], rows, { indent: "  ", align: ["left", "left", "right", "right", "right", "right", "right"] }));
  const roll = (title: string, rs: Rollup[]) => {
    out.push(title);
    out.push(
      renderTable(
        ["Name", "Contracts", "Students", "Earned", "Paid", "Owed", "Withheld", "Contingent"],
        rs.map((r) => [r.name, String(r.contracts), String(r.students), m(r.earned), m(r.paid), m(r.owed), m(r.withheld), m(r.contingent)]),
        { indent: "  ", align: ["left", "right", "right", "right", "right", "right", "right", "right"] },
      ),
    );
  };
  roll("By provider", s.byProvider);
  roll("By district", s.byDistrict);
  roll("By payer", s.byPayer);
  out.push("Paid: settled in the ledger. Owed: earned by the latest drop but not yet settled. Contingent: the most that can still be earned.\n");
  return out.join("\n");
}

export async function portfolioStatusCommand(o: StatusCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio status", io, async () => {
    const date = dateOption(o.asOf, "--as-of") ?? today();
    const p = loadOrFail(io, o.portfolio);
    const runs = await runPortfolio(p, date);
    const { lines, drops } = await readingLedger(io, "portfolio status", o.ledger, async (l) => (l ? { lines: await ledgerLines(l), drops: await l.drops() } : { lines: [], drops: [] }));
    const s = portfolioStatus(p, runs, lines, date, drops);
    io.stdout(o.json ? deskJson({ schema: "obc.portfolio-status/1", ...s }) : renderStatus(s));
    return EXIT.ok;
  });
}

// ───────────────────────────── settle ─────────────────────────────

export interface SettleCommandOptions {
  portfolio: string;
  asOf: string;
  ledger?: string;
  now?: string;
  contract?: string[];
  /** CONTRACT=REASON: record a settlement the ledger's guards would refuse, keeping the reason */
  accept?: string[];
  dryRun?: boolean;
  json?: boolean;
}

/** The contract ids named by --contract (all when none), checked against the portfolio. */
function onlyContracts(p: Portfolio, ids: readonly string[] | undefined, option = "--contract"): Set<string> | undefined {
  const known = new Set(p.contracts.map((c) => c.id));
  for (const id of ids ?? []) if (!known.has(id)) throw new CommandError(EXIT.usage, `${option}: the portfolio has no contract ${id}`);
  return ids && ids.length > 0 ? new Set(ids) : undefined;
}

function renderSettlements(list: ContractSettlement[], currency: string, dryRun: boolean): string {
  const m = (c: bigint) => formatCents(c, currency);
  const word: Record<ContractSettlement["status"], string> = {
    recorded: dryRun ? "would record" : "recorded",
    duplicate: "already settled",
    unchanged: "nothing new",
    "no-drop": "no drop yet",
    unattested: "NOT ATTESTED",
    refused: "REFUSED",
  };
  const rows: Row[] = list.map((s) => [s.contract, s.drop ?? "-", word[s.status] + (s.settlementId !== undefined && s.status === "recorded" ? ` (settlement ${s.settlementId})` : ""), String(s.lines), m(s.payments), m(s.adjustments), m(s.net)]);
  const sum = (f: (s: ContractSettlement) => bigint) => list.reduce((a, s) => a + f(s), 0n);
  rows.push(SEPARATOR, ["Total", "", "", String(list.reduce((a, s) => a + s.lines, 0)), m(sum((s) => s.payments)), m(sum((s) => s.adjustments)), m(sum((s) => s.net))]);
  let text = renderTable(["Contract", "Drop", "Outcome", "Lines", "Payments", "Adjustments", "Net"], rows, { indent: "  ", align: ["left", "left", "left", "right", "right", "right", "right"] });
  for (const s of list.filter((x) => x.status === "refused" || x.status === "unattested")) text += `  ${s.contract}: ${s.reason}\n`;
  for (const s of list.filter((x) => x.accepted !== undefined)) text += `  ${s.contract}: recorded with the reason given: ${s.accepted}\n`;
  return text;
}

export async function portfolioSettleCommand(o: SettleCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio settle", io, async () => {
    const date = dateOption(o.asOf, "--as-of");
    if (date === undefined) throw new CommandError(EXIT.usage, "--as-of is required: the drops received by this day are settled");
    const now = nowOption(o.now);
    const p = loadOrFail(io, o.portfolio);
    const only = onlyContracts(p, o.contract);
    const accept = new Map<string, string>();
    for (const a of o.accept ?? []) {
      const m = /^([a-z0-9][a-z0-9-]*)=(.*\S.*)$/s.exec(a);
      if (!m) throw new CommandError(EXIT.usage, "--accept: write CONTRACT=REASON, e.g. --accept lakeview-brightpath=\"the district corrected the session dates\"");
      onlyContracts(p, [m[1]!], "--accept");
      accept.set(m[1]!, m[2]!.trim());
    }
    const list = await withLedger(io, "portfolio settle", o.ledger, { create: !o.dryRun, now }, (l) =>
      settlePortfolio(p, l, { date, now, ...(o.dryRun ? { dryRun: true } : {}), ...(only ? { only } : {}), ...(accept.size > 0 ? { accept } : {}) }),
    );
    if (o.json) io.stdout(deskJson({ schema: "obc.portfolio-settlement/1", date, dryRun: !!o.dryRun, contracts: list }));
    else io.stdout(`${p.name} — settling the drops received by ${date}${o.dryRun ? " (dry run: nothing is written)" : ""}\n` + renderSettlements(list, p.currency, !!o.dryRun));
    const refused = list.filter((s) => s.status === "refused" || s.status === "unattested").length;
    if (refused > 0) throw new CommandError(EXIT.data, `${refused} contract${refused === 1 ? " was" : "s were"} not settled (see above)`);
    return EXIT.ok;
  });
}

// ───────────────────────────── drop ─────────────────────────────

export interface DropCommandOptions {
  portfolio: string;
  contract: string;
  data: string[];
  asOf: string;
  suppliedBy: string;
  supersedes?: string;
  reason?: string;
  id?: string;
  ledger?: string;
  now?: string;
}

export async function portfolioDropCommand(o: DropCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio drop", io, async () => {
    const asOf = dateOption(o.asOf, "--as-of");
    if (asOf === undefined) throw new CommandError(EXIT.usage, "--as-of is required: the day the data describe");
    if (!o.suppliedBy?.trim()) throw new CommandError(EXIT.usage, "--supplied-by: say who supplied the files");
    if ((o.supersedes === undefined) !== (o.reason === undefined)) throw new CommandError(EXIT.usage, "a correction gives both --supersedes DROP and --reason TEXT");
    const now = nowOption(o.now);
    const p = loadOrFail(io, o.portfolio);
    const c = p.contracts.find((x) => x.id === o.contract);
    if (!c) throw new CommandError(EXIT.usage, `the portfolio has no contract ${o.contract}`);
    const files: Record<string, { name: string; bytes: Uint8Array }> = {};
    for (const arg of o.data) {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/.exec(arg);
      if (!m) throw new CommandError(EXIT.usage, `--data: write SET=FILE, e.g. --data students=students.csv (the contract's data sets: ${c.ir.dataSets.map((d) => d.name).join(", ")})`);
      if (files[m[1]!]) throw new CommandError(EXIT.usage, `--data: the data set ${m[1]} is given twice`);
      try {
        files[m[1]!] = { name: m[2]!, bytes: await readFile(resolvePath(io, m[2]!)) };
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot read ${m[2]}: ${fsReason(e)}`);
      }
    }
    // a file no run could read (not text, a workbook with a cell that cannot be read exactly) is refused now, not at settlement
    const unreadable = await unreadableDropFile(files);
    if (unreadable) throw new CommandError(EXIT.data, unreadable);
    let id: string;
    try {
      id = writeDrop(c, { asOf, received: now, suppliedBy: o.suppliedBy, files, ...(o.supersedes !== undefined ? { supersedes: o.supersedes, reason: o.reason! } : {}), ...(o.id !== undefined ? { id: o.id } : {}) });
    } catch (e) {
      if (e instanceof DropError) throw new CommandError(EXIT.usage, e.message);
      throw e;
    }
    const fresh = loadOrFail(io, o.portfolio);
    const fc = fresh.contracts.find((x) => x.id === c.id)!;
    const drop = fc.drops.find((d) => d.id === id)!;
    const record = await withLedger(io, "portfolio drop", o.ledger, { create: true, now }, async (l) => (await recordDrop(l, fc, drop, now)).record);
    io.stdout(`drop ${id} of ${c.id} written to ${relative(io.cwd ?? process.cwd(), drop.dir) || "."} and recorded in the ledger as drop ${record.id} (${record.files.length} file${record.files.length === 1 ? "" : "s"}); it is settled once the district or an evaluator attests it\n`);
    return EXIT.ok;
  });
}

// ───────────────────────────── attest ─────────────────────────────

export interface AttestCommandOptions {
  portfolio: string;
  asOf: string;
  by: string;
  role?: string;
  district?: string;
  contract?: string[];
  drop?: string;
  note?: string;
  ledger?: string;
  now?: string;
  json?: boolean;
}

export async function portfolioAttestCommand(o: AttestCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio attest", io, async () => {
    const date = dateOption(o.asOf, "--as-of");
    if (date === undefined) throw new CommandError(EXIT.usage, "--as-of is required: each contract's latest drop received by this day is attested");
    const role = o.role ?? "district";
    if (role !== "district" && role !== "evaluator") throw new CommandError(EXIT.usage, `--role is district or evaluator, not ${role}`);
    if (!o.by?.trim()) throw new CommandError(EXIT.usage, "--by: say who attests the drops");
    const now = nowOption(o.now);
    const p = loadOrFail(io, o.portfolio);
    let only = onlyContracts(p, o.contract);
    if (o.district !== undefined) {
      if (!p.districts.some((d) => d.id === o.district)) throw new CommandError(EXIT.usage, `--district: the portfolio has no district ${o.district}`);
      const theirs = new Set(p.contracts.filter((c) => c.district.id === o.district).map((c) => c.id));
      only = only ? new Set([...only].filter((id) => theirs.has(id))) : theirs;
    }
    if (role === "district" && o.district === undefined) throw new CommandError(EXIT.usage, "--district: a district attests its own contracts' drops; name it (or attest as --role evaluator)");
    const list = await withLedger(io, "portfolio attest", o.ledger, { create: true, now }, (l) =>
      attestPortfolio(p, l, { date, by: o.by, role, at: now, ...(o.note !== undefined ? { note: o.note } : {}), ...(only ? { only } : {}), ...(o.drop !== undefined ? { drop: o.drop } : {}) }),
    );
    if (o.json) io.stdout(deskJson({ schema: "obc.portfolio-attestation/1", date, by: o.by, role, drops: list }));
    else {
      io.stdout(
        renderTable(
          ["Contract", "Drop", "Ledger drop", "Outcome"],
          list.map((a) => [a.contract, a.drop ?? "-", a.ledgerDrop !== undefined ? String(a.ledgerDrop) : "-", a.status === "already attested" ? `already attested by ${a.by}` : a.status === "no-drop" ? "no drop yet" : `attested by ${o.by} (${role})`]),
          { indent: "  " },
        ),
      );
    }
    return EXIT.ok;
  });
}

// ───────────────────────────── monitor ─────────────────────────────

export interface MonitorCommandOptions {
  portfolio: string;
  asOf?: string;
  contract?: string[];
  days?: number;
  runs?: number;
  seed?: number;
  json?: boolean;
}

/** The monitor as tables: per contract, the forecast, students on track, upcoming dates. */
export function renderMonitor(m: PortfolioMonitor): string {
  const money = (c: bigint) => formatCents(c, m.currency);
  const out: string[] = [`${m.portfolio} — monitoring as of ${m.date} — amounts in ${m.currency}`, ""];
  out.push("Forecast of each contract's final payout (from the data so far and the contract's simulation)");
  out.push(
    renderTable(
      ["Contract", "Data as of", "Students", "Certain", "Expected", "90% range", "Escalation"],
      [
        ...m.contracts.map((c) => [
          c.id,
          c.forecast.dataAsOf ?? "no drop",
          String(c.forecast.students),
          money(c.forecast.certain),
          money(c.forecast.expected),
          `${money(c.forecast.p5)} – ${money(c.forecast.p95)}`,
          c.escalations.filter((e) => e.period).map((e) => `level ${e.level} (${e.period})${e.withholding ? ", withholding" : ""}${e.terminationRight ? ", may terminate" : ""}`).join("; ") || "-",
        ]),
        SEPARATOR,
        ["Total", "", String(m.contracts.reduce((a, c) => a + c.forecast.students, 0)), money(m.certain), money(m.expected), "", ""],
      ],
      { indent: "  ", align: ["left", "left", "right", "right", "right", "right"] },
    ),
  );
  out.push("Students on track (met: decided and met; on track: met in at least half of the simulated outcomes)");
  out.push(
    renderTable(
      ["Contract", "Clause", "Due", "Met", "On track", "At risk", "Not met"],
      m.contracts.flatMap((c) => c.forecast.tracks.map((t) => [c.id, t.name, t.due ?? (t.decided ? "-" : "end of term"), String(t.met), String(t.onTrack), String(t.atRisk), String(t.notMet)])),
      { indent: "  ", align: ["left", "left", "left", "right", "right", "right", "right"] },
    ),
  );
  const upcoming = m.contracts.flatMap((c) => c.upcoming.map((d) => [d.date, c.id, d.what]));
  upcoming.sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!));
  out.push(`Coming due in the next ${m.days} days`);
  out.push(upcoming.length ? renderTable(["Date", "Contract", "What"], upcoming, { indent: "  " }) : "  nothing\n");
  return out.join("\n");
}

export async function portfolioMonitorCommand(o: MonitorCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio monitor", io, async () => {
    const date = dateOption(o.asOf, "--as-of") ?? today();
    if (o.runs !== undefined && (o.runs < 20 || o.runs > 100_000)) throw new CommandError(EXIT.usage, "--runs: 20 to 100000 simulated outcomes");
    const p = loadOrFail(io, o.portfolio);
    const only = onlyContracts(p, o.contract);
    const runs = await runPortfolio(p, date, only);
    const m = await monitorPortfolio(p, runs, date, { ...(o.days !== undefined ? { days: o.days } : {}), ...(o.runs !== undefined ? { runs: o.runs } : {}), ...(o.seed !== undefined ? { seed: o.seed } : {}), ...(only ? { only } : {}) });
    io.stdout(o.json ? deskJson(m) : renderMonitor(m));
    return EXIT.ok;
  });
}

// ───────────────────────────── statement ─────────────────────────────

export interface StatementCommandOptions {
  portfolio: string;
  payer?: string[];
  all?: boolean;
  month?: string;
  from?: string;
  to?: string;
  issued?: string;
  format?: string;
  out?: string;
  outDir?: string;
  ledger?: string;
}

const FORMATS = ["docx", "xlsx", "csv", "json"] as const;
type StatementFormat = (typeof FORMATS)[number];

/** A statement's bytes in a format. */
export async function renderStatement(s: Statement, format: StatementFormat): Promise<Uint8Array | string> {
  switch (format) {
    case "docx":
      return statementDocx(s);
    case "xlsx":
      return statementXlsx(s);
    case "csv":
      return statementCsv(s);
    case "json":
      return deskJson(s);
  }
}

/** The period of --month or --from/--to. */
function period(o: { month?: string; from?: string; to?: string }): { from: string; to: string } {
  if (o.month !== undefined) {
    if (o.from !== undefined || o.to !== undefined) throw new CommandError(EXIT.usage, "give --month, or --from and --to, not both");
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(o.month)) throw new CommandError(EXIT.usage, "--month: write the month as YYYY-MM, e.g. 2027-01");
    const [y, m] = [Number(o.month.slice(0, 4)), Number(o.month.slice(5, 7))];
    return { from: `${o.month}-01`, to: new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10) };
  }
  const from = dateOption(o.from, "--from");
  const to = dateOption(o.to, "--to");
  if (from === undefined || to === undefined) throw new CommandError(EXIT.usage, "give the period: --month YYYY-MM, or --from DATE --to DATE");
  if (from > to) throw new CommandError(EXIT.usage, "--from is after --to");
  return { from, to };
}

/** A file name for a payer's statement: its number and the format. */
const fileName = (s: Statement, format: StatementFormat) => `statement-${s.number}.${format}`;

export async function portfolioStatementCommand(o: StatementCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio statement", io, async () => {
    const { from, to } = period(o);
    const issued = dateOption(o.issued, "--issued");
    const format = (o.format ?? "docx") as StatementFormat;
    if (!FORMATS.includes(format)) throw new CommandError(EXIT.usage, `--format is docx, xlsx, csv or json, not ${o.format}`);
    if (!o.all && (o.payer ?? []).length === 0) throw new CommandError(EXIT.usage, "name the payer with --payer NAME (repeatable), or give --all");
    if (o.all && (o.payer ?? []).length > 0) throw new CommandError(EXIT.usage, "give --payer or --all, not both");
    const many = o.all || (o.payer ?? []).length > 1;
    if (many && o.outDir === undefined) throw new CommandError(EXIT.usage, "several statements: give a folder with --out-dir");
    if (!many && o.out === undefined && o.outDir === undefined && (format === "docx" || format === "xlsx")) throw new CommandError(EXIT.usage, `a .${format} file is binary: give a file with --out`);
    const p = loadOrFail(io, o.portfolio);
    const known = payersOf(p);
    const payers = o.all ? known : o.payer!;
    for (const name of payers) {
      if (!known.includes(name)) throw new CommandError(EXIT.usage, `--payer: no contract of the portfolio names ${JSON.stringify(name)} as a payer; the payers are ${known.map((k) => JSON.stringify(k)).join(", ")}`);
    }
    const runs = await runPortfolio(p, to);
    const { lines, totals } = await readingLedger(io, "portfolio statement", o.ledger, async (l) =>
      l ? { lines: await ledgerLines(l), totals: await ledgerTotals(l, p.contracts.map((c) => c.identity)) } : { lines: [], totals: [] },
    );
    const written: string[] = [];
    for (const payer of payers) {
      const s = buildStatement(p, lines, totals, runs, { payer, from, to, ...(issued !== undefined ? { issued } : {}) });
      if (!s.ledger.reconciles) throw new CommandError(EXIT.internal, `the statement for ${payer} does not reconcile to the ledger; nothing was written (please report it)`);
      const body = await renderStatement(s, format);
      const target = o.outDir !== undefined ? join(o.outDir, fileName(s, format)) : o.out;
      if (target === undefined) {
        io.stdout(body as string);
        continue;
      }
      try {
        if (o.outDir !== undefined) await mkdir(resolvePath(io, o.outDir), { recursive: true });
        await writeFile(resolvePath(io, target), body);
      } catch (e) {
        throw new CommandError(EXIT.file, `cannot write ${target}: ${fsReason(e)}`);
      }
      written.push(`${target}: statement ${s.number}, ${s.payer}, ${from} to ${to}, net ${formatCents(s.net, s.currency)}, settled to date ${formatCents(s.closing, s.currency)}`);
    }
    for (const w of written) io.stdout(`wrote ${w}\n`);
    return EXIT.ok;
  });
}

// ───────────────────────────── views ─────────────────────────────

export interface ViewCommandOptions {
  portfolio: string;
  role: string;
  for?: string;
  asOf?: string;
  ledger?: string;
  json?: boolean;
  csv?: boolean;
  secretFile?: string;
  secretEnv?: string;
}

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** A view as CSV: student lines (district, provider, evaluator) or the suppressed aggregates per contract (funder). */
export function viewCsv(v: RoleView): string {
  if (v.role === "funder") {
    const rows: string[] = [];
    for (const a of v.aggregates ?? []) {
      const [head, ...body] = renderAggregateCsv(a.aggregate).trimEnd().split("\n");
      if (rows.length === 0) rows.push(`contract,${head}`);
      for (const line of body) rows.push(`${csvCell(a.id)},${line}`);
    }
    return rows.join("\n") + "\n";
  }
  const head = "contract,student,clause,status,paid,withheld,reason";
  return [head, ...(v.students ?? []).map((l) => [l.contract, l.student, l.clause, l.status, fromCents(l.paid), fromCents(l.withheld), l.reason].map(csvCell).join(","))].join("\n") + "\n";
}

export async function portfolioViewCommand(o: ViewCommandOptions, io: CommandIO): Promise<number> {
  return runCommand("portfolio view", io, async () => {
    if (!(ROLES as readonly string[]).includes(o.role)) throw new CommandError(EXIT.usage, `--role is ${ROLES.join(", ")}, not ${o.role}`);
    if (o.json && o.csv) throw new CommandError(EXIT.usage, "give --json or --csv, not both");
    const role = o.role as Role;
    const date = dateOption(o.asOf, "--as-of") ?? today();
    const p = loadOrFail(io, o.portfolio);
    let keys;
    const needsSecret = role === "evaluator" || (role === "provider" && p.contracts.some((c) => c.providerSees === "pseudonyms" && (o.for === undefined || c.provider.id === o.for)));
    if (needsSecret) {
      try {
        keys = hmacKeys(await loadSecret({ ...(o.secretFile !== undefined ? { secretFile: o.secretFile } : {}), ...(o.secretEnv !== undefined ? { secretEnv: o.secretEnv } : {}), cwdResolve: (x) => resolvePath(io, x) }, io.env ?? process.env));
      } catch (e) {
        if (e instanceof SecretError) throw new CommandError(e.kind === "file" ? EXIT.file : EXIT.usage, `${e.message} (this view shows students under pseudonyms)`);
        throw e;
      }
    }
    const runs = await runPortfolio(p, date);
    const values = await latestValues(runs);
    const lines = await readingLedger(io, "portfolio view", o.ledger, async (l) => (l ? ledgerLines(l) : []));
    let v: RoleView;
    try {
      v = roleView(p, runs, lines, values, { role, ...(o.for !== undefined ? { for: o.for } : {}), date, ...(keys ? { keys } : {}) });
    } catch (e) {
      if (e instanceof RangeError) throw new CommandError(EXIT.usage, e.message);
      throw e;
    }
    if (o.csv) io.stdout(viewCsv(v));
    else if (o.json) io.stdout(deskJson(v));
    else {
      io.stdout(`${v.name} — ${v.role} view of ${v.portfolio} as of ${v.date}\n\n`);
      const s = portfolioStatus({ ...p, contracts: p.contracts.filter((c) => v.contracts.some((x) => x.id === c.id)) }, runs, lines, date);
      io.stdout(renderStatus(s));
      if (v.students) io.stdout(`\n${v.students.length} student lines (students identified by ${v.studentIds}); --csv prints them\n`);
      if (v.aggregates) io.stdout(`\nAggregates per contract and subgroup, cells about fewer than ${v.minCell} students suppressed; --csv or --json prints them\n`);
    }
    return EXIT.ok;
  });
}

// ───────────────────────────── serve ─────────────────────────────

/**
 * The desk's routes for `obc serve --portfolio`: the portfolio checked first (its errors stop
 * the command), the ledger opened (created when absent), the secret loaded when one is given.
 */
export async function deskServe(o: { portfolio: string; ledger?: string; secretFile?: string }, io: CommandIO) {
  loadOrFail(io, o.portfolio);
  let secret: Buffer | undefined;
  const env = io.env ?? process.env;
  if (o.secretFile !== undefined || env[DEFAULT_SECRET_ENV]) {
    try {
      secret = await loadSecret({ ...(o.secretFile !== undefined ? { secretFile: o.secretFile } : {}), cwdResolve: (x) => resolvePath(io, x) }, env);
    } catch (e) {
      if (e instanceof SecretError) throw new CommandError(e.kind === "file" ? EXIT.file : EXIT.usage, e.message);
      throw e;
    }
  }
  const target = o.ledger ?? DEFAULT_LEDGER;
  const { deskRoutes } = await import("../node/portfolio/http.ts");
  try {
    return await deskRoutes({ portfolio: resolvePath(io, o.portfolio), ledger: isUrl(target) ? target : resolvePath(io, target), ...(secret ? { secret } : {}) });
  } catch (e) {
    if (e instanceof LedgerFileError || e instanceof MigrationError) throw new CommandError(EXIT.file, e.message);
    throw e;
  }
}

// ───────────────────────────── commander ─────────────────────────────

export interface PortfolioWiring {
  io: CommandIO;
  configure: (cmd: Command, name: string) => Command;
  done: (code: number) => void;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const whole = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a whole number.`);
  return Number(v);
};

/** Adds `obc portfolio` and its subcommands to the program. */
export function addPortfolioCommand(program: Command, w: PortfolioWiring): void {
  const { configure, io, done } = w;
  const pf = configure(program.command("portfolio"), "obc portfolio").description(
    "the intermediary's desk: check, settle and report a portfolio of contracts (districts × providers) and their data drops",
  );

  configure(pf.command("generate"), "obc portfolio generate")
    .description("write a synthetic portfolio (contracts in OBC and monthly drops as CSV) for tests and demonstrations")
    .argument("<dir>", "an empty folder to write into")
    .option("--seed <n>", "the random seed (default 1)", whole("--seed"))
    .option("--students <n>", "students in all (default 5000)", whole("--students"))
    .option("--districts <n>", "districts, 1 to 5 (default 5)", whole("--districts"))
    .option("--providers <n>", "providers, 1 to 5 (default 5)", whole("--providers"))
    .addHelpText("after", "\nExample:\n  $ obc portfolio generate demo --seed 1\n")
    .action(async (dir: string, o: { seed?: number; students?: number; districts?: number; providers?: number }) => done(await portfolioGenerate({ dir, ...o }, io)));

  configure(pf.command("check"), "obc portfolio check")
    .description("check the portfolio file, its contracts and its drops' manifests")
    .argument("<portfolio>", "the portfolio file (portfolio.json)")
    .addHelpText("after", "\nExample:\n  $ obc portfolio check demo/portfolio.json\n")
    .action(async (portfolio: string) => done(await portfolioCheck({ portfolio }, io)));

  configure(pf.command("status"), "obc portfolio status")
    .description("per contract, provider, district and payer: paid, owed, withheld, contingent, caps, escalation, data quality and next deadlines")
    .argument("<portfolio>", "the portfolio file")
    .option("--as-of <date>", "the day to report on: the drops received by then (default today)")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .option("--json", "print the status as JSON")
    .addHelpText("after", "\nExample:\n  $ obc portfolio status demo/portfolio.json --as-of 2027-01-10 --ledger demo/ledger.sqlite\n")
    .action(async (portfolio: string, o: { asOf?: string; ledger?: string; json?: boolean }) => done(await portfolioStatusCommand({ portfolio, ...o }, io)));

  configure(pf.command("drop"), "obc portfolio drop")
    .description("add a data drop to a contract: its files copied into the portfolio's drops folder and recorded in the ledger (hashes, who, when)")
    .argument("<portfolio>", "the portfolio file")
    .argument("<contract>", "the contract's id in the portfolio")
    .requiredOption("-d, --data <set=file>", "a file for one of the contract's data sets (repeatable)", collect)
    .requiredOption("--as-of <date>", "the day the data describe")
    .requiredOption("--supplied-by <who>", "who supplied the files")
    .option("--supersedes <drop>", "the drop this one corrects")
    .option("--reason <text>", "why it corrects that drop (kept with it)")
    .option("--id <drop>", "the drop's id (default: the month, or DROP-corrected)")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .option("--now <iso>", "when the drop is received (default: now)")
    .addHelpText("after", '\nExample:\n  $ obc portfolio drop demo/portfolio.json lakeview-brightpath --data students=students.csv --data checkpoints=checkpoints.csv --as-of 2027-03-31 --supplied-by "Lakeview Unified School District"\n')
    .action(async (portfolio: string, contract: string, o: Omit<DropCommandOptions, "portfolio" | "contract">) => done(await portfolioDropCommand({ portfolio, contract, ...o }, io)));

  configure(pf.command("attest"), "obc portfolio attest")
    .description("record and attest each contract's latest drop received by a day (a district for its own contracts, or an evaluator)")
    .argument("<portfolio>", "the portfolio file")
    .requiredOption("--as-of <date>", "the day: each contract's latest drop received by then")
    .requiredOption("--by <name>", "who attests")
    .option("--role <role>", "district or evaluator", "district")
    .option("--district <id>", "the district whose contracts' drops are attested")
    .option("--contract <id>", "only this contract (repeatable)", collect)
    .option("--drop <id>", "this drop instead of the latest")
    .option("--note <text>", "a note kept with the attestation")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .option("--now <iso>", "when the attestation is recorded (default: now)")
    .option("--json", "print the outcome as JSON")
    .addHelpText("after", '\nExample:\n  $ obc portfolio attest demo/portfolio.json --as-of 2026-11-10 --district lakeview --by "J. Rivera, data office"\n')
    .action(async (portfolio: string, o: Omit<AttestCommandOptions, "portfolio">) => done(await portfolioAttestCommand({ portfolio, ...o }, io)));

  configure(pf.command("monitor"), "obc portfolio monitor")
    .description("students on track, deadlines and escalation checkpoints coming due, and a forecast of each contract's final payout (expected, 90% range, already certain)")
    .argument("<portfolio>", "the portfolio file")
    .option("--as-of <date>", "the day: the drops received by then (default today)")
    .option("--contract <id>", "only this contract (repeatable)", collect)
    .option("--days <n>", "the window for deadlines coming due (default 45)", whole("--days"))
    .option("--runs <n>", "simulated outcomes per contract (default 1000)", whole("--runs"))
    .option("--seed <n>", "the simulation's seed (default 1)", whole("--seed"))
    .option("--json", "print the monitor as JSON")
    .addHelpText("after", "\nExample:\n  $ obc portfolio monitor demo/portfolio.json --as-of 2027-01-15\n")
    .action(async (portfolio: string, o: Omit<MonitorCommandOptions, "portfolio">) => done(await portfolioMonitorCommand({ portfolio, ...o }, io)));

  configure(pf.command("statement"), "obc portfolio statement")
    .description("a payer's numbered statement for a period: payments, adjustments with reasons, withheld amounts and balances, reconciled to the ledger; Word, Excel, CSV or JSON")
    .argument("<portfolio>", "the portfolio file")
    .option("--payer <name>", "the payer, as the contracts name it (repeatable)", collect)
    .option("--all", "every payer of the portfolio (with --out-dir)")
    .option("--month <yyyy-mm>", "the period: a calendar month")
    .option("--from <date>", "the period's first day")
    .option("--to <date>", "the period's last day")
    .option("--issued <date>", "the issue date printed on the statement (default the period's last day)")
    .option("-f, --format <format>", "docx, xlsx, csv or json", "docx")
    .option("-o, --out <file>", "write the statement to this file")
    .option("--out-dir <dir>", "write each statement into this folder, named by its number")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .addHelpText("after", '\nExamples:\n  $ obc portfolio statement demo/portfolio.json --payer "Regional Tutoring Fund" --month 2027-01 --out rtf-2027-01.docx\n  $ obc portfolio statement demo/portfolio.json --all --month 2027-01 --format xlsx --out-dir statements\n')
    .action(async (portfolio: string, o: Omit<StatementCommandOptions, "portfolio">) => done(await portfolioStatementCommand({ portfolio, ...o }, io)));

  configure(pf.command("view"), "obc portfolio view")
    .description("what a district, provider, funder or evaluator sees: its contracts, student lines (pseudonymised where the contract says so) or suppressed aggregates")
    .argument("<portfolio>", "the portfolio file")
    .requiredOption("--role <role>", "district, provider, funder or evaluator")
    .option("--for <who>", "the district's or provider's id, or the funder's name")
    .option("--as-of <date>", "the day (default today)")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .option("--json", "print the whole view as JSON")
    .option("--csv", "print the student lines (or, for a funder, the aggregates) as CSV")
    .option("--secret-file <file>", "the pseudonymisation secret (else the environment variable, see --secret-env)")
    .option("--secret-env <name>", "environment variable holding the secret", "OBC_PSEUDONYM_SECRET")
    .addHelpText("after", '\nExample:\n  $ obc portfolio view demo/portfolio.json --role funder --for "Regional Tutoring Fund" --as-of 2027-07-15 --csv\n')
    .action(async (portfolio: string, o: Omit<ViewCommandOptions, "portfolio">) => done(await portfolioViewCommand({ portfolio, ...o }, io)));

  configure(pf.command("settle"), "obc portfolio settle")
    .description("settle each contract's latest drop received by a day into the ledger, paying only what is new")
    .argument("<portfolio>", "the portfolio file")
    .requiredOption("--as-of <date>", "the day: each contract's latest drop received by then is settled")
    .option("--ledger <file|url>", "the ledger (an SQLite file or postgres://…)", DEFAULT_LEDGER)
    .option("--now <iso>", "when the settlements are recorded (default: now)")
    .option("--contract <id>", "only this contract (repeatable)", collect)
    .option("--accept <id=reason>", "record a settlement the ledger would refuse (a roster shrinking or paid lines reversed by more than 10%), keeping the reason (repeatable)", collect)
    .option("--dry-run", "show what would be recorded; write nothing")
    .option("--json", "print the outcome as JSON")
    .addHelpText("after", "\nExample:\n  $ obc portfolio settle demo/portfolio.json --as-of 2026-11-10 --ledger demo/ledger.sqlite\n")
    .action(async (portfolio: string, o: { asOf: string; ledger?: string; now?: string; contract?: string[]; accept?: string[]; dryRun?: boolean; json?: boolean }) =>
      done(await portfolioSettleCommand({ portfolio, ...o }, io)),
    );
}
