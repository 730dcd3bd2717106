/**
 * The portfolio's use of the settlement ledger (node/ledger/): one ledger, SQLite or
 * PostgreSQL, holds every contract of the portfolio (each under its identity), their drops,
 * attestations and settlements.
 *
 *   ledgerLines(ledger)                    → every line with its settlement and contract
 *   ledgerTotals(ledger, identities)       → the ledger's own sums per contract and payer
 *   recordDrop(ledger, contract, drop, …)  → the ledger's record of a portfolio drop (recorded if new)
 *   ledgerDropOf(records, contract, drop)  → the record of a portfolio drop, if recorded
 *
 * A portfolio drop and a ledger drop are the same when they belong to the same contract and
 * hold the same files (labels and sha256). A correction is recorded as superseding the ledger
 * record of the drop it replaces, with its reason.
 */
import { readDataFiles, type ReadFile } from "../ledger/run.ts";
import type { DropRecord, Ledger } from "../ledger/index.ts";
import type { Drop, PortfolioContract } from "./format.ts";

export { DEFAULT_LEDGER } from "../ledger/index.ts";

/** One ledger line with the settlement it belongs to. */
export interface LedgerLineRow {
  settlement: number;
  createdAt: string;
  asOf: string;
  /** the contract's identity */
  contract: string;
  title: string;
  /** "" for cohort payments */
  studentKey: string;
  clause: string;
  period: string;
  payer: string;
  kind: "payment" | "adjustment";
  /** cents */
  amount: bigint;
  reason: string;
}

export interface LedgerTotal {
  contract: string;
  payer: string;
  lines: number;
  /** cents */
  total: bigint;
}

/** Every line of the ledger, in the order settlement, student, clause, period, payer. */
export async function ledgerLines(ledger: Ledger): Promise<LedgerLineRow[]> {
  const out: LedgerLineRow[] = [];
  for (const s of await ledger.history()) {
    for (const l of await ledger.settlementLines(s.id)) {
      out.push({ settlement: s.id, createdAt: s.createdAt, asOf: s.asOf, contract: s.contract, title: s.contractTitle, ...l });
    }
  }
  return out;
}

/** The ledger's own sums (computed by the database) per contract identity and payer. */
export async function ledgerTotals(ledger: Ledger, identities: readonly string[]): Promise<LedgerTotal[]> {
  const out: LedgerTotal[] = [];
  const known = new Set((await ledger.contracts()).map((c) => c.identity));
  for (const id of identities) {
    if (!known.has(id)) continue;
    for (const b of await ledger.balances("payer", { contract: id })) out.push({ contract: id, payer: b.key, lines: b.lines, total: b.cents });
  }
  return out;
}

const fileSet = (files: readonly { label: string; sha256: string }[]) =>
  JSON.stringify(files.map((f) => [f.label, f.sha256]).sort(([a], [b]) => (a! < b! ? -1 : a! > b! ? 1 : 0)));

/** Reads a portfolio drop's files (hashed as read). */
export function readDropFiles(drop: Drop): Promise<ReadFile[]> {
  return readDataFiles(drop.files.map((f) => ({ path: f.path, label: f.label, dataSet: f.dataSet })));
}

/** The ledger's record of a portfolio drop (same contract, same files: labels and sha256), if it was recorded. */
export function ledgerDropOf(records: readonly DropRecord[], c: PortfolioContract, files: readonly { label: string; sha256: string }[]): DropRecord | undefined {
  const want = fileSet(files);
  return records.find((r) => r.contract === c.identity && fileSet(r.files) === want);
}

/**
 * The ledger's record of a portfolio drop, recording it (and, first, the drop it supersedes)
 * when it is not there yet.
 */
export async function recordDrop(ledger: Ledger, c: PortfolioContract, drop: Drop, recordedAt: string): Promise<{ record: DropRecord; files: ReadFile[]; recorded: boolean }> {
  const files = await readDropFiles(drop);
  const records = await ledger.drops({ contract: c.identity });
  const have = ledgerDropOf(records, c, files.map((f) => f.drop));
  if (have) return { record: have, files, recorded: false };
  let supersedes: number | undefined;
  if (drop.supersedes !== undefined) {
    const old = c.drops.find((d) => d.id === drop.supersedes)!;
    supersedes = (await recordDrop(ledger, c, old, recordedAt)).record.id;
  }
  const record = await ledger.addDrop({
    contract: c.ir,
    files: files.map((f) => f.drop),
    suppliedBy: drop.suppliedBy,
    suppliedAt: drop.received,
    recordedAt,
    ...(supersedes !== undefined ? { supersedes, reason: drop.reason! } : {}),
  });
  return { record, files, recorded: true };
}
