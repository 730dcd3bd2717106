/**
 * The settlement ledger: what has been paid, in an SQLite file, so that re-running a contract
 * on a new data drop pays only the difference.
 *
 *   openLedger(path)                          → db (schema migrated)
 *   settle(db, { contractSource, result, inputs, asOf, createdAt })
 *                                             → recorded | duplicate | unchanged
 *   history(db) · balances(db, by) · exportLinesCsv(db)
 *
 * What is owed is read from a run (`RunResult`): for every student line and cohort payment, the
 * amount each payer funds, less the line's withholding (shared among the payers in proportion,
 * exact to the cent). The ledger holds, per (student, clause, period, payer), the sum of what
 * earlier settlements recorded; a settlement records only the differences, as `payment` lines
 * (nothing was recorded for that key before) or `adjustment` lines (which may be negative), with
 * a reason such as "correction: eoy_score data changed". Everything is written in one
 * transaction: a failure part-way leaves the ledger as it was.
 *
 * Idempotent: the same contract (sha256 of its source), the same input files (sha256 of each)
 * and the same as-of date are recorded once (`duplicate`); a run whose differences are all zero
 * records nothing (`unchanged`). Lines are scoped by contract title, so one ledger may hold
 * several contracts, and a new version of a contract settles against what its earlier versions paid.
 *
 * The ledger never reads the clock: `createdAt` is given by the caller.
 */
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import type { ContractIR } from "../../language/check/ir.ts";
import type { RunResult } from "../../engine/output.ts";
import { migrate } from "./migrations.ts";

export { MIGRATIONS, migrate, appliedVersions, MigrationError, type Migration } from "./migrations.ts";

export type Ledger = Database.Database;

/** The default ledger file name. */
export const DEFAULT_LEDGER = "obc-ledger.sqlite";

/** Opens (creating when absent) a ledger file and brings its schema up to date. `":memory:"` for tests. */
export function openLedger(path: string = DEFAULT_LEDGER, opts: { now?: string; readonly?: boolean; mustExist?: boolean } = {}): Ledger {
  const db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.mustExist ?? opts.readonly ?? false });
  db.pragma("foreign_keys = ON");
  if (!opts.readonly) {
    if (path !== ":memory:") db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    migrate(db, undefined, opts.now ?? null);
  }
  return db;
}

// ───────────────────────────── money ─────────────────────────────

/** "1080.00" / "-12.50" → cents. */
export function toCents(amount: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!m) throw new RangeError(`not an amount: ${amount}`);
  const v = BigInt(m[2]) * 100n + BigInt((m[3] ?? "").padEnd(2, "0"));
  return m[1] ? -v : v;
}

/** cents → "1080.00" / "-12.50". */
export function fromCents(c: bigint): string {
  const neg = c < 0n;
  const a = neg ? -c : c;
  return `${neg ? "-" : ""}${a / 100n}.${String(a % 100n).padStart(2, "0")}`;
}

/** Shares `total` among weights pro rata, rounded down, the leftover cents to the largest remainders (ties: earlier). */
function shareProRata(weights: bigint[], total: bigint): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum <= 0n || total === 0n) return weights.map(() => 0n);
  const base = weights.map((w) => (total * w) / sum);
  const rema = weights.map((w, i) => ({ i, r: (total * w) % sum }));
  let left = total - base.reduce((a, b) => a + b, 0n);
  rema.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rema) {
    if (left <= 0n) break;
    base[i] += 1n;
    left -= 1n;
  }
  return base;
}

// ───────────────────────────── what a run owes ─────────────────────────────

interface Owed {
  student: string;
  clause: string;
  period: string;
  payer: string;
  cents: bigint;
  clauseName: string;
  status: string;
  /** the clause's amount before caps (student lines) */
  amount?: string;
  values: Record<string, string>;
}

const keyOf = (student: string, clause: string, period: string, payer: string) => JSON.stringify([student, clause, period, payer]);

/** Per (student, clause, period, payer): what the run says is owed, with the basis of each line. */
export function owedByRun(result: RunResult): Map<string, Owed> {
  const out = new Map<string, Owed>();
  const add = (o: Omit<Owed, "cents">, cents: bigint) => {
    const k = keyOf(o.student, o.clause, o.period, o.payer);
    const prev = out.get(k);
    if (prev) prev.cents += cents;
    else out.set(k, { ...o, cents });
  };
  const split = (funding: Record<string, string>, withheld: bigint) => {
    const payers = Object.keys(funding).sort();
    const amounts = payers.map((p) => toCents(funding[p]));
    const held = shareProRata(amounts.map((a) => (a > 0n ? a : 0n)), withheld);
    return payers.map((p, i) => ({ payer: p, cents: amounts[i] - held[i] }));
  };
  for (const s of result.students) {
    for (const l of s.lines) {
      const values: Record<string, string> = {};
      for (const c of l.conditions) Object.assign(values, c.values);
      for (const { payer, cents } of split(l.funding, toCents(l.withheld))) {
        add({ student: s.id, clause: l.clause, period: "", payer, clauseName: l.clauseName, status: l.status, amount: l.amount, values }, cents);
      }
    }
  }
  for (const c of result.cohorts) {
    for (const { payer, cents } of split(c.funding, 0n)) {
      add({ student: "", clause: c.clause, period: c.period ?? "", payer, clauseName: c.clauseName, status: c.status, values: c.values }, cents);
    }
  }
  return out;
}

// ───────────────────────────── settle ─────────────────────────────

export interface SettleInput {
  /** the contract's source text (its sha256 identifies the contract version) */
  contractSource: string;
  /** the run to settle */
  result: RunResult;
  /** the data files the run read: label and sha256 of the bytes */
  inputs: readonly { label: string; sha256: string }[];
  /** the run's clock (YYYY-MM-DD) */
  asOf: string;
  /** when the settlement is recorded (ISO 8601), from the caller's clock */
  createdAt: string;
  /** the checked contract, to name only data fields in correction reasons (optional) */
  ir?: ContractIR;
}

export interface LedgerLine {
  studentKey: string;
  clause: string;
  period: string;
  payer: string;
  /** cents */
  amount: bigint;
  kind: "payment" | "adjustment";
  reason: string;
}

export interface SettleOutcome {
  /** recorded: new lines were written; duplicate: these exact inputs were settled before; unchanged: nothing is owed or due back */
  status: "recorded" | "duplicate" | "unchanged";
  /** the new settlement, or the earlier one for a duplicate */
  settlementId?: number;
  lines: LedgerLine[];
  payments: bigint;
  adjustments: bigint;
  net: bigint;
}

export interface SettleOptions {
  /** compute the lines but write nothing */
  dryRun?: boolean;
  /** test hook: called after each line is written, inside the transaction (throw to simulate a crash) */
  afterLine?: (written: number) => void;
}

/** sha256 of a text, hex. */
export const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** The identity of a set of input files: sha256 of their sorted, distinct sha256s (labels do not count). */
export function inputsHash(inputs: readonly { sha256: string }[]): string {
  return sha256Hex([...new Set(inputs.map((i) => i.sha256))].sort().join("\n"));
}

interface PriorRow {
  student_key: string;
  clause: string;
  period: string;
  payer: string;
  total: bigint;
}
interface BasisRow {
  student_key: string;
  clause: string;
  period: string;
  basis: string | null;
  contract_hash: string;
}
interface Basis {
  status?: string;
  amount?: string;
  values?: Record<string, string>;
}

function reasonFor(
  o: Owed | undefined,
  prior: { basis: Basis; contractHash: string } | undefined,
  hadLines: boolean,
  contractHash: string,
  dataFields: Set<string> | undefined,
): string {
  if (!hadLines) {
    if (!o) return "payment";
    const what = o.student === "" ? `cohort payment ${o.clauseName}${o.period ? ` for ${o.period}` : ""}` : o.clauseName;
    return `payment: ${what} ${o.status}`;
  }
  if (!o) return "adjustment: no longer owed (the line is not in this run)";
  const before = prior?.basis;
  const contractChanged = prior !== undefined && prior.contractHash !== contractHash;
  const sameDecision = before?.status === o.status && before?.amount !== undefined && before.amount === o.amount;
  if (sameDecision) {
    // the clause decided the same and computed the same amount: what changed is after it
    return contractChanged ? "adjustment: the contract changed" : "adjustment: a cap or withholding changed the amount";
  }
  if (before?.values) {
    const names = new Set([...Object.keys(before.values), ...Object.keys(o.values)]);
    let changed = [...names].filter((n) => before.values![n] !== o.values[n]).sort();
    if (dataFields) {
      const data = changed.filter((n) => dataFields.has(n));
      if (data.length > 0) changed = data;
    }
    if (changed.length > 0) return `correction: ${changed.join(", ")} data changed`;
  }
  if (contractChanged) return "adjustment: the contract changed";
  if (before?.status !== undefined && before.status !== o.status) return `adjustment: ${o.clauseName} is now ${o.status}`;
  return "adjustment: the amount owed changed";
}

/**
 * Records what a run owes beyond what the ledger has already paid, in one transaction.
 * @throws whatever `opts.afterLine` throws (the transaction is rolled back)
 */
export function settle(db: Ledger, input: SettleInput, opts: SettleOptions = {}): SettleOutcome {
  const contractHash = sha256Hex(input.contractSource);
  const inHash = inputsHash(input.inputs);
  const title = input.result.contract.title;
  const dataFields = input.ir ? new Set([...input.ir.fields.keys()]) : undefined;
  const empty = (status: SettleOutcome["status"], settlementId?: number): SettleOutcome => ({
    status,
    ...(settlementId !== undefined ? { settlementId } : {}),
    lines: [],
    payments: 0n,
    adjustments: 0n,
    net: 0n,
  });

  const run = db.transaction((): SettleOutcome => {
    const dup = db.prepare("SELECT id FROM settlements WHERE contract_hash = ? AND inputs_hash = ? AND as_of = ?").get(contractHash, inHash, input.asOf) as
      | { id: number }
      | undefined;
    if (dup) return empty("duplicate", dup.id);

    const owed = owedByRun(input.result);
    const priorRows = db
      .prepare(
        `SELECT l.student_key, l.clause, l.period, l.payer, SUM(l.amount_cents) AS total
           FROM lines l JOIN settlements s ON s.id = l.settlement_id
          WHERE s.contract_title = ?
          GROUP BY l.student_key, l.clause, l.period, l.payer`,
      )
      .safeIntegers(true)
      .all(title) as PriorRow[];
    const prior = new Map(priorRows.map((r) => [keyOf(r.student_key, r.clause, r.period, r.payer), r.total]));
    // the latest basis per (student, clause, period)
    const bases = new Map<string, { basis: Basis; contractHash: string }>();
    for (const b of db
      .prepare(
        `SELECT l.student_key, l.clause, l.period, l.basis, s.contract_hash
           FROM lines l JOIN settlements s ON s.id = l.settlement_id
          WHERE s.contract_title = ?
          ORDER BY l.id`,
      )
      .all(title) as BasisRow[]) {
      let basis: Basis = {};
      try {
        basis = b.basis ? (JSON.parse(b.basis) as Basis) : {};
      } catch {
        basis = {};
      }
      bases.set(JSON.stringify([b.student_key, b.clause, b.period]), { basis, contractHash: b.contract_hash });
    }

    const keys = [...new Set([...owed.keys(), ...prior.keys()])].sort();
    const lines: (LedgerLine & { basis: string | null })[] = [];
    for (const k of keys) {
      const o = owed.get(k);
      const paid = prior.get(k) ?? 0n;
      const now = o?.cents ?? 0n;
      const diff = now - paid;
      if (diff === 0n) continue;
      const [student, clause, period, payer] = JSON.parse(k) as [string, string, string, string];
      const hadLines = prior.has(k);
      const priorBasis = bases.get(JSON.stringify([student, clause, period]));
      lines.push({
        studentKey: student,
        clause,
        period,
        payer,
        amount: diff,
        kind: hadLines ? "adjustment" : "payment",
        reason: reasonFor(o, priorBasis, hadLines, contractHash, dataFields),
        basis: o ? JSON.stringify({ status: o.status, ...(o.amount !== undefined ? { amount: o.amount } : {}), values: o.values }) : null,
      });
    }
    if (lines.length === 0) return empty("unchanged");

    const payments = lines.filter((l) => l.kind === "payment").reduce((a, l) => a + l.amount, 0n);
    const adjustments = lines.filter((l) => l.kind === "adjustment").reduce((a, l) => a + l.amount, 0n);
    const outcome: SettleOutcome = {
      status: "recorded",
      lines: lines.map(({ basis: _b, ...l }) => l),
      payments,
      adjustments,
      net: payments + adjustments,
    };
    if (opts.dryRun) return outcome;

    const info = db
      .prepare(
        `INSERT INTO settlements (contract_title, contract_version, contract_hash, inputs_hash, as_of, created_at, currency, line_count, net_cents)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(title, input.result.contract.version ?? null, contractHash, inHash, input.asOf, input.createdAt, input.result.contract.currency, lines.length, outcome.net);
    const id = Number(info.lastInsertRowid);
    const addInput = db.prepare("INSERT INTO settlement_inputs (settlement_id, label, sha256) VALUES (?, ?, ?)");
    const labels = new Set<string>();
    for (const i of [...input.inputs].sort((a, b) => a.label.localeCompare(b.label))) {
      if (labels.has(i.label)) continue;
      labels.add(i.label);
      addInput.run(id, i.label, i.sha256);
    }
    const addLine = db.prepare(
      `INSERT INTO lines (settlement_id, student_key, clause, period, payer, amount_cents, kind, reason, basis)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    let written = 0;
    for (const l of lines) {
      addLine.run(id, l.studentKey, l.clause, l.period, l.payer, l.amount, l.kind, l.reason, l.basis);
      written++;
      opts.afterLine?.(written);
    }
    return { ...outcome, settlementId: id };
  });
  // IMMEDIATE: take the write lock before reading what was paid, so two settlements cannot interleave
  return run.immediate();
}

// ───────────────────────────── queries ─────────────────────────────

export interface SettlementSummary {
  id: number;
  contractTitle: string;
  contractVersion?: string;
  contractHash: string;
  inputsHash: string;
  asOf: string;
  createdAt: string;
  currency: string;
  lineCount: number;
  payments: bigint;
  adjustments: bigint;
  net: bigint;
  inputs: { label: string; sha256: string }[];
}

/** Every settlement, oldest first (optionally of one contract title). */
export function history(db: Ledger, opts: { contract?: string } = {}): SettlementSummary[] {
  const rows = db
    .prepare(
      `SELECT s.id, s.contract_title, s.contract_version, s.contract_hash, s.inputs_hash, s.as_of, s.created_at, s.currency, s.line_count,
              COALESCE(SUM(CASE WHEN l.kind = 'payment' THEN l.amount_cents END), 0) AS payments,
              COALESCE(SUM(CASE WHEN l.kind = 'adjustment' THEN l.amount_cents END), 0) AS adjustments,
              COALESCE(SUM(l.amount_cents), 0) AS net
         FROM settlements s LEFT JOIN lines l ON l.settlement_id = s.id
        WHERE (? IS NULL OR s.contract_title = ?)
        GROUP BY s.id ORDER BY s.id`,
    )
    .safeIntegers(true)
    .all(opts.contract ?? null, opts.contract ?? null) as Record<string, unknown>[];
  const inputs = db.prepare("SELECT label, sha256 FROM settlement_inputs WHERE settlement_id = ? ORDER BY label");
  return rows.map((r) => ({
    id: Number(r["id"]),
    contractTitle: String(r["contract_title"]),
    ...(r["contract_version"] !== null ? { contractVersion: String(r["contract_version"]) } : {}),
    contractHash: String(r["contract_hash"]),
    inputsHash: String(r["inputs_hash"]),
    asOf: String(r["as_of"]),
    createdAt: String(r["created_at"]),
    currency: String(r["currency"]),
    lineCount: Number(r["line_count"]),
    payments: BigInt(r["payments"] as bigint),
    adjustments: BigInt(r["adjustments"] as bigint),
    net: BigInt(r["net"] as bigint),
    inputs: inputs.all(Number(r["id"])) as { label: string; sha256: string }[],
  }));
}

export type BalanceBy = "student" | "clause" | "payer";
const BALANCE_COLUMN: Record<BalanceBy, string> = { student: "l.student_key", clause: "l.clause", payer: "l.payer" };

/** What has been paid in all, per student key, clause or payer (sorted by it). Cohort payments have student key "". */
export function balances(db: Ledger, by: BalanceBy, opts: { contract?: string } = {}): { key: string; cents: bigint; lines: number }[] {
  const col = BALANCE_COLUMN[by];
  const rows = db
    .prepare(
      `SELECT ${col} AS k, SUM(l.amount_cents) AS total, COUNT(*) AS n
         FROM lines l JOIN settlements s ON s.id = l.settlement_id
        WHERE (? IS NULL OR s.contract_title = ?)
        GROUP BY ${col} ORDER BY ${col}`,
    )
    .safeIntegers(true)
    .all(opts.contract ?? null, opts.contract ?? null) as { k: string; total: bigint; n: bigint }[];
  return rows.map((r) => ({ key: r.k, cents: r.total, lines: Number(r.n) }));
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Every line as CSV, in a fixed order (settlement, student key, clause, period, payer, line). */
export function exportLinesCsv(db: Ledger, opts: { contract?: string } = {}): string {
  const rows = db
    .prepare(
      `SELECT s.id AS settlement_id, s.created_at, s.as_of, s.contract_title, s.contract_version, s.contract_hash,
              l.student_key, l.clause, l.period, l.payer, l.kind, l.amount_cents, l.reason
         FROM lines l JOIN settlements s ON s.id = l.settlement_id
        WHERE (? IS NULL OR s.contract_title = ?)
        ORDER BY s.id, l.student_key, l.clause, l.period, l.payer, l.id`,
    )
    .safeIntegers(true)
    .all(opts.contract ?? null, opts.contract ?? null) as Record<string, unknown>[];
  const header = ["settlement", "created_at", "as_of", "contract", "contract_version", "contract_sha256", "student_key", "clause", "period", "payer", "kind", "amount", "reason"];
  const out = [header.join(",")];
  for (const r of rows) {
    out.push(
      [
        String(r["settlement_id"]),
        String(r["created_at"]),
        String(r["as_of"]),
        String(r["contract_title"]),
        r["contract_version"] === null ? "" : String(r["contract_version"]),
        String(r["contract_hash"]),
        String(r["student_key"]),
        String(r["clause"]),
        String(r["period"]),
        String(r["payer"]),
        String(r["kind"]),
        fromCents(BigInt(r["amount_cents"] as bigint)),
        String(r["reason"]),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  return out.join("\n") + "\n";
}

/** Every line of one settlement, in the CSV order. */
export function settlementLines(db: Ledger, settlementId: number): LedgerLine[] {
  const rows = db
    .prepare(
      `SELECT student_key, clause, period, payer, amount_cents, kind, reason FROM lines
        WHERE settlement_id = ? ORDER BY student_key, clause, period, payer, id`,
    )
    .safeIntegers(true)
    .all(settlementId) as Record<string, unknown>[];
  return rows.map((r) => ({
    studentKey: String(r["student_key"]),
    clause: String(r["clause"]),
    period: String(r["period"]),
    payer: String(r["payer"]),
    amount: BigInt(r["amount_cents"] as bigint),
    kind: r["kind"] as "payment" | "adjustment",
    reason: String(r["reason"]),
  }));
}
