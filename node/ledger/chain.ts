/**
 * The ledger's hash chain: every record (a contract's identity, a data drop, an attestation, a
 * settlement with all its lines) is written to the `journal` with
 *
 *   hash = sha256(previous hash ‖ "\n" ‖ canonical record)
 *
 * where the canonical record is read back from the tables by {@link emitCanonical}: one JSON
 * array per row, in a fixed column order, rows in a fixed order, one row a line. Writing and
 * verifying use that one function, so what is checked is exactly what was hashed. The first
 * record's previous hash is {@link GENESIS}. Verification is in verify.ts.
 */
import { createHash } from "node:crypto";
import type { Store } from "./store.ts";

export const GENESIS = "0".repeat(64);

export type RecordKind = "contract" | "drop" | "attestation" | "settlement";

/** The tables whose rows make up records, and the journal: what checkpoints count. */
export const RECORD_TABLES = ["contracts", "drops", "drop_files", "attestations", "settlements", "settlement_inputs", "lines", "journal"] as const;
export type RecordTable = (typeof RECORD_TABLES)[number];
export type RowCounts = Record<RecordTable, number>;

export const zeroCounts = (): RowCounts => ({ contracts: 0, drops: 0, drop_files: 0, attestations: 0, settlements: 0, settlement_inputs: 0, lines: 0, journal: 0 });

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

/** What a record is made of: its row, then its child rows, each with the line's tag. */
const RECORD_PARTS: Record<RecordKind, { tag: string; table: RecordTable; sql: string }[]> = {
  contract: [{ tag: "contract", table: "contracts", sql: `SELECT ${CONTRACT_COLS.join(", ")} FROM contracts WHERE identity = ?` }],
  drop: [
    { tag: "drop", table: "drops", sql: `SELECT ${DROP_COLS.join(", ")} FROM drops WHERE id = ?` },
    { tag: "file", table: "drop_files", sql: `SELECT ${DROP_FILE_COLS.join(", ")} FROM drop_files WHERE drop_id = ? ORDER BY label` },
  ],
  attestation: [{ tag: "attestation", table: "attestations", sql: `SELECT ${ATTEST_COLS.join(", ")} FROM attestations WHERE id = ?` }],
  settlement: [
    { tag: "settlement", table: "settlements", sql: `SELECT ${SETTLEMENT_COLS.join(", ")} FROM settlements WHERE id = ?` },
    { tag: "input", table: "settlement_inputs", sql: `SELECT ${INPUT_COLS.join(", ")} FROM settlement_inputs WHERE settlement_id = ? ORDER BY label` },
    { tag: "line", table: "lines", sql: `SELECT ${LINE_COLS.join(", ")} FROM lines WHERE settlement_id = ? ORDER BY id` },
  ],
};

/** A cell as hashed: text, or null. Integers as decimal digits whether they come as bigint, number or string. */
const norm = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "string" ? v : String(v));

/**
 * Emits a record's canonical text line by line (the record is the lines joined with "\n"), read
 * from the tables.
 * @returns the rows read from each table, or undefined when the record is not there
 */
export async function emitCanonical(s: Store, kind: RecordKind, ref: string, emit: (line: string) => void): Promise<Partial<RowCounts> | undefined> {
  const rows: Partial<RowCounts> = {};
  for (const [i, part] of RECORD_PARTS[kind].entries()) {
    const found = await s.rows(part.sql, [ref]);
    if (i === 0 && found.length === 0) return undefined;
    for (const r of found) emit(`${part.tag} ${JSON.stringify(r.map(norm))}`);
    rows[part.table] = found.length;
  }
  return rows;
}

/** A record in its canonical text; undefined when it is not there. */
export async function canonicalRecord(s: Store, kind: RecordKind, ref: string): Promise<string | undefined> {
  const lines: string[] = [];
  return (await emitCanonical(s, kind, ref, (l) => lines.push(l))) && lines.join("\n");
}

export const chainHash = (prev: string, canonical: string) => createHash("sha256").update(`${prev}\n${canonical}`, "utf8").digest("hex");

/**
 * The chain hash of a record read from the tables, hashed as it is read (the same value as
 * `chainHash(prev, canonicalRecord(…))`, without building the text).
 */
export async function recordHash(s: Store, kind: RecordKind, ref: string, prev: string): Promise<{ hash: string; rows: Partial<RowCounts> } | undefined> {
  const h = createHash("sha256").update(`${prev}\n`, "utf8");
  let first = true;
  const rows = await emitCanonical(s, kind, ref, (l) => {
    h.update(first ? l : `\n${l}`, "utf8");
    first = false;
  });
  return rows && { hash: h.digest("hex"), rows };
}

/** The last journal entry: its sequence number (0 when empty) and hash. */
export async function chainHead(s: Store): Promise<{ seq: number; hash: string }> {
  const r = await s.get("SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1");
  return r ? { seq: Number(r["seq"]), hash: String(r["hash"]) } : { seq: 0, hash: GENESIS };
}

/** Appends a record (already written to its tables, in the same transaction) to the chain. */
export async function appendToChain(tx: Store, kind: RecordKind, ref: string | number | bigint): Promise<{ seq: number; hash: string }> {
  const key = String(ref);
  const head = await chainHead(tx);
  const r = await recordHash(tx, kind, key, head.hash);
  if (r === undefined) throw new Error(`no ${kind} ${key} to add to the chain`);
  await tx.run("INSERT INTO journal (seq, kind, ref, prev_hash, hash) VALUES (?, ?, ?, ?, ?)", [head.seq + 1, kind, key, head.hash, r.hash]);
  return { seq: head.seq + 1, hash: r.hash };
}
