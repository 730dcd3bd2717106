/**
 * The ledger's hash chain: every record (a contract's identity, a data drop, an attestation, a
 * settlement with all its lines) is written to the `journal` with
 *
 *   hash = sha256(previous hash ‖ "\n" ‖ canonical record)
 *
 * where the canonical record is read back from the tables by {@link canonicalRecord}: one JSON
 * array per row, in a fixed column order, rows in a fixed order. Writing and verifying use that
 * one function, so what is checked is exactly what was hashed. The first record's previous hash
 * is {@link GENESIS}.
 *
 * Verification ({@link verifyChain}) recomputes every hash, checks that the journal is a gapless
 * sequence, that every record is in it once, that every settlement's stored line count and net
 * equal its lines, and that the append-only triggers are all in place.
 */
import { createHash } from "node:crypto";
import { appendOnlyTriggerNames } from "./migrations.ts";
import type { Row, Store } from "./store.ts";

export const GENESIS = "0".repeat(64);

export type RecordKind = "contract" | "drop" | "attestation" | "settlement";

const norm = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "string" ? v : String(v));
const enc = (r: Row, cols: readonly string[]) => JSON.stringify(cols.map((c) => norm(r[c])));

const CONTRACT_COLS = ["identity", "explicit", "title", "profile", "legacy", "recorded_at"] as const;
const DROP_COLS = ["id", "contract_identity", "supplied_by", "supplied_at", "recorded_at", "supersedes", "reason"] as const;
const DROP_FILE_COLS = ["label", "data_set", "sha256", "bytes"] as const;
const ATTEST_COLS = ["id", "drop_id", "attested_by", "role", "attested_at", "note"] as const;
const SETTLEMENT_COLS = [
  "id", "contract_identity", "contract_title", "contract_version", "contract_hash", "inputs_hash", "as_of", "created_at", "currency",
  "line_count", "net_cents", "roster", "drop_id", "accepted_reason", "profile",
] as const;
const INPUT_COLS = ["label", "sha256"] as const;
const LINE_COLS = ["student_key", "clause", "period", "payer", "amount_cents", "kind", "reason", "basis"] as const;

/** A record in its canonical text, read from the tables; undefined when it is not there. */
export async function canonicalRecord(s: Store, kind: RecordKind, ref: string): Promise<string | undefined> {
  switch (kind) {
    case "contract": {
      const r = await s.get(`SELECT ${CONTRACT_COLS.join(", ")} FROM contracts WHERE identity = ?`, [ref]);
      return r && `contract ${enc(r, CONTRACT_COLS)}`;
    }
    case "drop": {
      const r = await s.get(`SELECT ${DROP_COLS.join(", ")} FROM drops WHERE id = ?`, [ref]);
      if (!r) return undefined;
      const files = await s.all(`SELECT ${DROP_FILE_COLS.join(", ")} FROM drop_files WHERE drop_id = ? ORDER BY label`, [ref]);
      return [`drop ${enc(r, DROP_COLS)}`, ...files.map((f) => `file ${enc(f, DROP_FILE_COLS)}`)].join("\n");
    }
    case "attestation": {
      const r = await s.get(`SELECT ${ATTEST_COLS.join(", ")} FROM attestations WHERE id = ?`, [ref]);
      return r && `attestation ${enc(r, ATTEST_COLS)}`;
    }
    case "settlement": {
      const r = await s.get(`SELECT ${SETTLEMENT_COLS.join(", ")} FROM settlements WHERE id = ?`, [ref]);
      if (!r) return undefined;
      const inputs = await s.all(`SELECT ${INPUT_COLS.join(", ")} FROM settlement_inputs WHERE settlement_id = ? ORDER BY label`, [ref]);
      const lines = await s.all(`SELECT ${LINE_COLS.join(", ")} FROM lines WHERE settlement_id = ? ORDER BY id`, [ref]);
      return [`settlement ${enc(r, SETTLEMENT_COLS)}`, ...inputs.map((i) => `input ${enc(i, INPUT_COLS)}`), ...lines.map((l) => `line ${enc(l, LINE_COLS)}`)].join("\n");
    }
  }
}

export const chainHash = (prev: string, canonical: string) => createHash("sha256").update(`${prev}\n${canonical}`, "utf8").digest("hex");

/** The last journal entry: its sequence number (0 when empty) and hash. */
export async function chainHead(s: Store): Promise<{ seq: number; hash: string }> {
  const r = await s.get("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1");
  return r ? { seq: Number(r["seq"]), hash: String(r["hash"]) } : { seq: 0, hash: GENESIS };
}

/** Appends a record (already written to its tables, in the same transaction) to the chain. */
export async function appendToChain(tx: Store, kind: RecordKind, ref: string | number | bigint): Promise<string> {
  const key = String(ref);
  const canonical = await canonicalRecord(tx, kind, key);
  if (canonical === undefined) throw new Error(`no ${kind} ${key} to add to the chain`);
  const head = await chainHead(tx);
  const hash = chainHash(head.hash, canonical);
  await tx.run("INSERT INTO journal (seq, kind, ref, prev_hash, hash) VALUES (?, ?, ?, ?, ?)", [head.seq + 1, kind, key, head.hash, hash]);
  return hash;
}

export interface Verification {
  ok: boolean;
  /** what is wrong, one sentence each (never a student's value) */
  problems: string[];
  /** records in the chain */
  records: number;
  settlements: number;
  /** the last hash: write it down elsewhere (a statement, an e-mail) to detect a rewritten ledger later */
  head: string;
}

const KIND_TABLE: Record<RecordKind, { table: string; key: string }> = {
  contract: { table: "contracts", key: "identity" },
  drop: { table: "drops", key: "id" },
  attestation: { table: "attestations", key: "id" },
  settlement: { table: "settlements", key: "id" },
};

const describe = (kind: RecordKind, ref: string) => (kind === "contract" ? `the contract record ${JSON.stringify(ref)}` : `${kind} ${ref}`);

/** Checks the whole ledger: the chain, the stored totals and the triggers. Never throws for a tampered ledger. */
export async function verifyChain(s: Store, opts: { maxProblems?: number } = {}): Promise<Verification> {
  const max = opts.maxProblems ?? 20;
  const problems: string[] = [];
  const add = (p: string) => {
    if (problems.length < max) problems.push(p);
  };

  const triggers = new Set(await s.triggers());
  const missing = appendOnlyTriggerNames(s.dialect).filter((t) => !triggers.has(t));
  if (missing.length > 0) add(`the ledger's append-only protection was removed (${missing.length} trigger${missing.length === 1 ? "" : "s"} missing, e.g. ${missing[0]})`);

  let prev = GENESIS;
  let expected = 1;
  let records = 0;
  const seen: Record<RecordKind, number> = { contract: 0, drop: 0, attestation: 0, settlement: 0 };
  const PAGE = 500;
  for (;;) {
    const rows = await s.all("SELECT seq, kind, ref, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq LIMIT " + PAGE, [expected]);
    for (const r of rows) {
      const seq = Number(r["seq"]);
      const kind = String(r["kind"]) as RecordKind;
      const ref = String(r["ref"]);
      if (seq !== expected) add(`the chain has a gap: record ${expected} is missing`);
      expected = seq + 1;
      if (String(r["prev_hash"]) !== prev) add(`record ${seq} (${describe(kind, ref)}) does not follow the one before it: a record was removed, inserted or rewritten`);
      const canonical = await canonicalRecord(s, kind, ref);
      if (canonical === undefined) add(`${describe(kind, ref)} is in the chain but no longer in the ledger`);
      else if (chainHash(String(r["prev_hash"]), canonical) !== String(r["hash"])) add(`${describe(kind, ref)} was changed after it was recorded (its contents do not match its hash)`);
      prev = String(r["hash"]);
      seen[kind] = (seen[kind] ?? 0) + 1;
      records++;
    }
    if (rows.length < PAGE) break;
  }

  for (const kind of Object.keys(KIND_TABLE) as RecordKind[]) {
    const { table } = KIND_TABLE[kind];
    const n = Number((await s.get(`SELECT COUNT(*) AS n FROM ${table}`))?.["n"] ?? 0);
    if (n !== seen[kind]) add(`${table} holds ${n} record${n === 1 ? "" : "s"} but the chain has ${seen[kind]}: records were added or removed outside obc`);
  }
  const totals = await s.all(
    `SELECT s.id, s.line_count, s.net_cents, COUNT(l.id) AS n, COALESCE(SUM(l.amount_cents), 0) AS net
       FROM settlements s LEFT JOIN lines l ON l.settlement_id = s.id
      GROUP BY s.id, s.line_count, s.net_cents ORDER BY s.id`,
  );
  for (const t of totals) {
    if (BigInt(t["line_count"] as bigint) !== BigInt(t["n"] as bigint) || BigInt(t["net_cents"] as bigint) !== BigInt(t["net"] as bigint)) {
      add(`settlement ${String(t["id"])}'s stored total or line count does not match its lines`);
    }
  }
  const orphans = Number((await s.get("SELECT COUNT(*) AS n FROM lines l LEFT JOIN settlements s ON s.id = l.settlement_id WHERE s.id IS NULL"))?.["n"] ?? 0);
  if (orphans > 0) add(`${orphans} line${orphans === 1 ? " belongs" : "s belong"} to no settlement`);
  return { ok: problems.length === 0, problems, records, settlements: totals.length, head: prev };
}
