/**
 * Attesting and settling a portfolio's drops in one ledger.
 *
 *   attestPortfolio(portfolio, ledger, { date, by, role, at, contracts?, drop? }) → DropAttestation[]
 *   settlePortfolio(portfolio, ledger, { date, now, dryRun?, only?, accept? })      → ContractSettlement[]
 *
 * Each contract's latest drop in force on a date (see format.ts) is recorded in the ledger when
 * it is not there yet (its files' hashes, who supplied it and when, the drop it corrects and
 * why). The district or an evaluator attests it; only then is it settled, with the ledger's own
 * rules (node/ledger/run.ts: the files must be the recorded ones, the run is strict and refused
 * on any data error or rejected row, a roster that shrinks or paid lines reversed beyond 10%
 * need a reason). Each contract is one transaction; one contract refused does not stop the others.
 */
import { LedgerRefusal, type Ledger } from "../ledger/index.ts";
import { settleFromFiles } from "../ledger/run.ts";
import { latestDrop, type Portfolio, type PortfolioContract } from "./format.ts";
import { ledgerDropOf, readDropFiles, recordDrop } from "./ledger.ts";

export interface ContractSettlement {
  contract: string;
  title: string;
  drop?: string;
  /** the drop's number in the ledger */
  ledgerDrop?: number;
  /** the drop's as-of date: the run's clock */
  asOf?: string;
  status: "recorded" | "duplicate" | "unchanged" | "no-drop" | "unattested" | "refused";
  /** why a contract was not settled, in one line without data values */
  reason?: string;
  settlementId?: number;
  lines: number;
  /** cents */
  payments: bigint;
  adjustments: bigint;
  net: bigint;
  /** the reason given to record a settlement the guards would refuse */
  accepted?: string;
}

export interface SettlePortfolioOptions {
  /** which drops are in force: those received by this day */
  date: string;
  /** when the drops and settlements are recorded (ISO 8601), from the caller's clock */
  now: string;
  dryRun?: boolean;
  /** only these contract ids */
  only?: ReadonlySet<string>;
  /** per contract id, the reason to record a settlement that shrinks the roster or reverses paid lines beyond the limit */
  accept?: ReadonlyMap<string, string>;
}

/** Settles every contract's latest drop in force on `date`, in the portfolio's order. */
export async function settlePortfolio(p: Portfolio, ledger: Ledger, o: SettlePortfolioOptions): Promise<ContractSettlement[]> {
  const out: ContractSettlement[] = [];
  for (const c of p.contracts) {
    if (o.only && !o.only.has(c.id)) continue;
    out.push(await settleContract(c, ledger, o));
  }
  return out;
}

async function settleContract(c: PortfolioContract, ledger: Ledger, o: SettlePortfolioOptions): Promise<ContractSettlement> {
  const base = { contract: c.id, title: c.title, lines: 0, payments: 0n, adjustments: 0n, net: 0n };
  const drop = latestDrop(c, o.date);
  if (!drop) return { ...base, status: "no-drop" };
  const at = { drop: drop.id, asOf: drop.asOf };
  try {
    let record;
    let files;
    if (o.dryRun) {
      files = await readDropFiles(drop);
      record = ledgerDropOf(await ledger.drops({ contract: c.identity }), c, files.map((f) => f.drop));
      if (!record) return { ...base, ...at, status: "unattested", reason: `drop ${drop.id} is not recorded in the ledger yet, so it has not been attested` };
    } else {
      ({ record, files } = await recordDrop(ledger, c, drop, o.now));
    }
    if (record.attestations.length === 0) {
      return { ...base, ...at, ledgerDrop: record.id, status: "unattested", reason: `drop ${drop.id} has not been attested: the district or an evaluator attests it first (obc portfolio attest)` };
    }
    const accept = o.accept?.get(c.id);
    const outcome = await settleFromFiles(
      ledger,
      { source: c.source, ir: c.ir, drop: record.id, files, asOf: drop.asOf, createdAt: o.now, ...(accept !== undefined ? { accept } : {}) },
      o.dryRun ? { dryRun: true } : {},
    );
    return {
      ...base,
      ...at,
      ledgerDrop: record.id,
      status: outcome.status,
      ...(outcome.settlementId !== undefined ? { settlementId: outcome.settlementId } : {}),
      lines: outcome.lines.length,
      payments: outcome.payments,
      adjustments: outcome.adjustments,
      net: outcome.net,
      ...(outcome.accepted ? { accepted: outcome.accepted.reason } : {}),
    };
  } catch (e) {
    if (e instanceof LedgerRefusal) return { ...base, ...at, status: "refused", reason: e.message };
    throw e;
  }
}

export interface DropAttestation {
  contract: string;
  drop?: string;
  ledgerDrop?: number;
  status: "attested" | "already attested" | "no-drop";
  /** who attested it already */
  by?: string;
}

export interface AttestOptions {
  /** the drops in force on this day (the latest of each contract) */
  date: string;
  by: string;
  role: "district" | "evaluator";
  /** when (ISO 8601, the caller's clock) */
  at: string;
  note?: string;
  /** only these contract ids */
  only?: ReadonlySet<string>;
  /** this drop id (of each contract chosen) instead of the latest in force */
  drop?: string;
}

/** Records and attests each chosen contract's latest drop in force (or the drop named). */
export async function attestPortfolio(p: Portfolio, ledger: Ledger, o: AttestOptions): Promise<DropAttestation[]> {
  const out: DropAttestation[] = [];
  for (const c of p.contracts) {
    if (o.only && !o.only.has(c.id)) continue;
    const drop = o.drop !== undefined ? c.drops.find((d) => d.id === o.drop) : latestDrop(c, o.date);
    if (!drop) {
      out.push({ contract: c.id, status: "no-drop" });
      continue;
    }
    const { record } = await recordDrop(ledger, c, drop, o.at);
    if (record.attestations.length > 0) {
      out.push({ contract: c.id, drop: drop.id, ledgerDrop: record.id, status: "already attested", by: record.attestations[0]!.by });
      continue;
    }
    await ledger.attestDrop({ drop: record.id, by: o.by, role: o.role, at: o.at, ...(o.note !== undefined ? { note: o.note } : {}) });
    out.push({ contract: c.id, drop: drop.id, ledgerDrop: record.id, status: "attested" });
  }
  return out;
}
