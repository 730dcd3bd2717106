/**
 * The settlement ledger: what has been paid, per contract, so that settling a contract on a new
 * data drop pays only the difference; which data drops were supplied, by whom, and who attested
 * them; and a hash chain over all of it, verified every time the ledger is opened.
 *
 *   const ledger = await openLedger("obc-ledger.sqlite" | "postgres://…", { create: true });
 *   const drop = await ledger.addDrop({ contract: ir, files, suppliedBy, suppliedAt, recordedAt });
 *   await ledger.attestDrop({ drop: drop.id, by: "J. Rivera", role: "district", at });
 *   await ledger.settle({ contractSource, ir, result, drop: drop.id, asOf, createdAt });
 *   ledger.history() · balances() · drops() · contracts() · exportLinesCsv() · verify()
 *   await ledger.close();
 *
 * (node/ledger/run.ts reads a drop's files, runs the contract and settles it in one call.)
 *
 * What is owed is read from a run (`RunResult`): for every student line and cohort payment, the
 * amount each payer funds, less the line's withholding (shared among the payers in proportion,
 * exact to the cent). The ledger holds, per (student, clause, period, payer), the sum of what
 * earlier settlements of the same contract recorded; a settlement records only the
 * differences, as `payment` lines (nothing was recorded for that key before) or `adjustment`
 * lines (which may be negative), with a reason such as "correction: eoy_score data changed".
 *
 * What it refuses ({@link LedgerRefusal}; nothing is written):
 * - a contract text whose identity, parties, term or clauses do not follow from the one settled
 *   before (other than through its own amendments), or another contract under a title the
 *   ledger already holds;
 * - data that is not an attested drop of this contract, was superseded, or whose files differ
 *   from those recorded;
 * - a settlement whose accepted roster shrank by more than `maxShrink` percent (default 10)
 *   against the contract's previous settlement, or that would reverse more than that share of
 *   its paid lines, unless `accept` gives the reason (kept with the settlement).
 *
 * Idempotent: the same contract text, input files and as-of date are recorded once
 * (`duplicate`); a run whose differences are all zero records nothing (`unchanged`). Each
 * operation is one transaction holding the ledger's write lock: a failure part-way leaves the
 * ledger as it was, and concurrent writers (other processes, other machines on PostgreSQL) wait
 * their turn. The ledger never reads the clock: times are given by the caller.
 */
import { createHash } from "node:crypto";
import type { ContractIR } from "../../language/check/ir.ts";
import type { RunResult } from "../../engine/output.ts";
import { appendToChain, chainHead } from "./chain.ts";
import { checkLedger, protectionAsCheckpointed, type Anchor, type Verification } from "./verify.ts";
import { contractIdentity, profileChange, type ContractProfile } from "./identity.ts";
import { migrate, type Migration } from "./migrations.ts";
import { isSqliteStore, LedgerFileError, openSqliteStore, SQLITE_APPLICATION_ID, type Row, type Store } from "./store.ts";

export { MIGRATIONS, migrate, appliedVersions, MigrationError, migrationSql, APPEND_ONLY_TABLES, type Migration } from "./migrations.ts";
export { LedgerFileError, type Store, type Dialect } from "./store.ts";
export { contractIdentity, contractProfile, profileChange, type ContractIdentity, type ContractProfile } from "./identity.ts";
export { GENESIS } from "./chain.ts";
export { formatHead, parseAnchor, type Anchor, type Verification } from "./verify.ts";

/** The default ledger file name. */
export const DEFAULT_LEDGER = "obc-ledger.sqlite";

/** The default share (percent) by which a roster may shrink, or paid lines be reversed, without a reason. */
export const DEFAULT_MAX_SHRINK = 10;

/** The roles that may attest a drop. */
export const ATTESTING_ROLES = ["district", "evaluator"] as const;

/** The ledger will not record this (exit 3 in the CLI): the message says why and what to do. */
export class LedgerRefusal extends Error {
  override name = "LedgerRefusal";
  constructor(
    /** "internal": the run broke OBC's own guarantees (OBC9001), a bug in OBC; every other kind is the input's */
    readonly kind: "identity" | "drop" | "shrink" | "reversal" | "attestation" | "data" | "internal",
    message: string,
  ) {
    super(message);
  }
}

const isPostgresTarget = (t: string) => /^postgres(ql)?:\/\//i.test(t);

/** Tables of a ledger written before identities and the chain (schema version 1). */
const V1_TABLES = ["lines", "schema_migrations", "settlement_inputs", "settlements"];

export interface OpenOptions {
  /** create the ledger when the file (or schema) does not exist yet; otherwise it must exist */
  create?: boolean;
  /** recorded with the migrations applied now */
  now?: string;
  /** "refuse" (default): throw when verification fails; "report": open anyway (for `obc ledger --verify`) */
  onTamper?: "refuse" | "report";
  /**
   * "since" (default): from the last verified checkpoint, in full only when that check does not
   * hold (see verify.ts); "full": every record, every time
   */
  verify?: "since" | "full";
  /** heads kept outside the ledger (`--expect-head`): each must be in its chain */
  anchors?: Anchor[];
  /** the schema's migrations (default {@link MIGRATIONS}; tests add later ones) */
  migrations?: readonly Migration[];
}

export interface OpenReport {
  /** schema versions applied while opening */
  migrated: number[];
  /** settlements recorded before the chain existed, chained while opening */
  chainedEarlier: number;
  verification: Verification;
}

/**
 * Opens a ledger: an SQLite file, or `postgres://user:password@host/db[?schema=name]`. Refuses
 * what is not an obc ledger (another application's database, a non-SQLite or damaged file),
 * brings the schema up to date, and verifies the whole ledger.
 * @throws LedgerFileError for a missing, foreign, damaged or tampered ledger (CLI exit 4)
 */
export async function openLedger(target: string = DEFAULT_LEDGER, opts: OpenOptions = {}): Promise<Ledger> {
  let store: Store;
  if (isPostgresTarget(target)) {
    const { openPostgresStore } = await import("./postgres.ts");
    store = await openPostgresStore(target, { create: opts.create ?? false });
  } else {
    store = openSqliteStore(target, { mustExist: !(opts.create ?? false) && target !== ":memory:", integrity: opts.verify === "full" });
  }
  try {
    const tables = await store.tables();
    const appId = isSqliteStore(store) ? store.applicationId() : 0;
    const fresh = tables.length === 0 && appId === 0;
    if (fresh && !(opts.create ?? false) && target !== ":memory:") throw new LedgerFileError(`${store.name} is not an obc ledger: it is empty`);
    if (!fresh) {
      const ours = tables.includes("ledger_meta") && (await store.get("SELECT value FROM ledger_meta WHERE key = 'application'"))?.["value"] === "obc ledger";
      const v1 = V1_TABLES.every((t) => tables.includes(t)) && tables.every((t) => V1_TABLES.includes(t));
      if ((appId !== 0 && appId !== SQLITE_APPLICATION_ID) || !(ours || v1)) {
        throw new LedgerFileError(`${store.name} is not an obc ledger: it is another application's database; give another --ledger`);
      }
    }
    // migrations change the schema: they may when it is as the last checkpoint found it
    const intact = await protectionAsCheckpointed(store);
    const migrated = await migrate(store, opts.migrations, opts.now ?? null);
    // a ledger from before the chain: its settlements were chained by the migration
    const chainedEarlier = migrated.includes(2) ? Number((await store.get("SELECT COUNT(*) AS n FROM settlements"))?.["n"] ?? 0) : 0;
    if (isSqliteStore(store) && store.applicationId() !== SQLITE_APPLICATION_ID) store.setApplicationId();
    const verification = await checkLedger(store, { full: opts.verify === "full", anchors: opts.anchors ?? [], at: opts.now ?? null, migrated: migrated.length > 0 && intact === true });
    if (!verification.ok && (opts.onTamper ?? "refuse") === "refuse") {
      throw new LedgerFileError(`the ledger ${store.name} failed verification: ${verification.problems[0]}; nothing was done (obc ledger --verify lists every problem)`);
    }
    await (store as Store).opened?.();
    return new Ledger(store, { migrated, chainedEarlier, verification });
  } catch (e) {
    await store.close();
    // a page that cannot be read, met while checking
    const code = (e as { code?: string }).code;
    if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB") throw new LedgerFileError(`cannot open the ledger ${store.name}: the file is damaged (truncated or corrupt)`);
    throw e;
  }
}

// ───────────────────────────── records ─────────────────────────────

export interface DropFile {
  /** the path as given */
  label: string;
  dataSet?: string;
  sha256: string;
  bytes: number;
}

export interface NewDrop {
  /** the checked contract the drop is for (registered in the ledger if new) */
  contract: ContractIR;
  files: DropFile[];
  /** who supplied the files (a district, a provider, a vendor…) */
  suppliedBy: string;
  /** when they were supplied (YYYY-MM-DD or ISO date and time) */
  suppliedAt: string;
  /** when the drop is recorded (the caller's clock) */
  recordedAt: string;
  /** the earlier drop this one corrects */
  supersedes?: number;
  /** why it replaces that drop (required with `supersedes`) */
  reason?: string;
}

export interface NewAttestation {
  drop: number;
  /** the person attesting */
  by: string;
  /** district or evaluator: a party of the contract in that role */
  role: string;
  at: string;
  note?: string;
}

export interface Attestation {
  id: number;
  drop: number;
  by: string;
  role: string;
  at: string;
  note?: string;
}

export interface DropRecord {
  id: number;
  /** the contract's identity */
  contract: string;
  suppliedBy: string;
  suppliedAt: string;
  recordedAt: string;
  supersedes?: number;
  reason?: string;
  files: DropFile[];
  attestations: Attestation[];
  /** the drop that corrects this one */
  supersededBy?: number;
  /** settlements recorded from it */
  settlements: number[];
}

export interface ContractRecord {
  identity: string;
  explicit: boolean;
  title: string;
  recordedAt: string;
  profile: ContractProfile;
}

export interface SettleInput {
  /** the contract's source text (its sha256 identifies the contract version) */
  contractSource: string;
  /** the checked contract (its identity, parties, clauses and data sets) */
  ir: ContractIR;
  /** the run to settle, made from the drop's files */
  result: RunResult;
  /** the attested drop the run read */
  drop: number;
  /** the run's clock (YYYY-MM-DD) */
  asOf: string;
  /** when the settlement is recorded (ISO 8601), from the caller's clock */
  createdAt: string;
  /** percent by which the roster may shrink, or paid lines be reversed, without a reason (default 10) */
  maxShrink?: number;
  /** the reason to record anyway when the roster shrank or lines are reversed by more than that */
  accept?: string;
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
  /** the contract's identity */
  contract: string;
  lines: LedgerLine[];
  payments: bigint;
  adjustments: bigint;
  net: bigint;
  /** students in the roster now, and at the contract's previous settlement */
  roster?: number;
  previousRoster?: number;
  /** set when the roster shrank or lines were reversed beyond the limit and `accept` was given */
  accepted?: { reason: string; what: string };
}

export interface SettleOptions {
  /** compute the lines but write nothing */
  dryRun?: boolean;
  /** test hook: called after each batch of lines is written, inside the transaction (throw to simulate a crash) */
  afterLines?: (written: number) => void;
}

export interface SettlementSummary {
  id: number;
  contract: string;
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
  roster?: number;
  drop?: number;
  acceptedReason?: string;
  inputs: { label: string; sha256: string }[];
}

export type BalanceBy = "student" | "clause" | "payer";

// ───────────────────────────── the ledger ─────────────────────────────

const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));
const num = (v: unknown): number | undefined => (v === null || v === undefined ? undefined : Number(v));

/** Rows per INSERT when writing lines (well under either backend's limit on parameters). */
const BATCH = 200;

class DryRun extends Error {
  constructor(readonly outcome: SettleOutcome) {
    super("dry run");
  }
}

export class Ledger {
  constructor(
    private readonly store: Store,
    /** what opening did: migrations, earlier settlements chained, the verification */
    readonly opened: OpenReport,
  ) {}

  /** "sqlite" or "postgres" */
  get backend() {
    return this.store.dialect;
  }
  /** the file path, or the URL without its password */
  get name() {
    return this.store.name;
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  /** Checks the whole ledger again (every record's hash, stored totals, triggers), and against the heads given. */
  async verify(opts: { anchors?: Anchor[]; at?: string } = {}): Promise<Verification> {
    return checkLedger(this.store, { full: true, anchors: opts.anchors ?? [], at: opts.at ?? null });
  }

  /** The chain's last record: its number and hash. */
  async head(): Promise<{ seq: number; hash: string }> {
    return chainHead(this.store);
  }

  // ── contracts ──

  /** Every contract the ledger knows, in the order they were first recorded. */
  async contracts(): Promise<ContractRecord[]> {
    const rows = await this.store.all("SELECT c.identity, c.explicit, c.title, c.profile, c.recorded_at FROM contracts c JOIN journal j ON j.kind = 'contract' AND j.ref = c.identity ORDER BY j.seq");
    return rows.map((r) => ({
      identity: String(r["identity"]),
      explicit: Number(r["explicit"]) === 1,
      title: String(r["title"]),
      recordedAt: String(r["recorded_at"]),
      profile: JSON.parse(String(r["profile"])) as ContractProfile,
    }));
  }

  /**
   * The identity a user means by `--contract X`: an identity, else the title of exactly one
   * contract (or of settlements from before identities).
   */
  async resolveContract(nameOrTitle: string): Promise<string | undefined> {
    if (await this.store.get("SELECT 1 AS x FROM contracts WHERE identity = ?", [nameOrTitle])) return nameOrTitle;
    const byTitle = await this.store.all("SELECT identity FROM contracts WHERE title = ?", [nameOrTitle]);
    if (byTitle.length === 1) return String(byTitle[0]!["identity"]);
    if (byTitle.length > 1) throw new LedgerRefusal("identity", `several contracts are titled ${JSON.stringify(nameOrTitle)}: name one by its identity (obc ledger --contracts lists them)`);
    if (await this.store.get("SELECT 1 AS x FROM settlements WHERE contract_identity = ?", [`legacy:${nameOrTitle}`])) return `legacy:${nameOrTitle}`;
    return undefined;
  }

  /** The identities whose settlements count for a contract: its own, and earlier ones it took over. */
  private async scope(s: Store, identity: string): Promise<string[]> {
    const r = await s.get("SELECT legacy FROM contracts WHERE identity = ?", [identity]);
    const legacy = str(r?.["legacy"]);
    return legacy !== undefined ? [identity, `legacy:${legacy}`] : [identity];
  }

  /**
   * Finds or records the contract of a text, refusing a text that does not follow from the one
   * recorded before under its identity, or that collides with another contract.
   */
  private async register(tx: Store, ir: ContractIR, at: string): Promise<string> {
    const id = contractIdentity(ir);
    const existing = await tx.get("SELECT identity, profile FROM contracts WHERE identity = ?", [id.identity]);
    if (existing) {
      const last = await tx.get("SELECT profile FROM settlements WHERE contract_identity = ? AND profile IS NOT NULL ORDER BY id DESC LIMIT 1", [id.identity]);
      const before = JSON.parse(String(last?.["profile"] ?? existing["profile"])) as ContractProfile;
      const change = profileChange(before, id.profile);
      if (change) throw new LedgerRefusal("identity", `this text of contract ${id.identity} does not follow from the one recorded before: ${change}`);
      return id.identity;
    }
    const others = (await tx.all("SELECT identity, explicit, title, profile FROM contracts")).map((r) => ({
      identity: String(r["identity"]),
      explicit: Number(r["explicit"]) === 1,
      title: String(r["title"]),
      profile: JSON.parse(String(r["profile"])) as ContractProfile,
    }));
    const sameTitle = others.find((o) => o.title === ir.title && !(o.explicit && id.explicit));
    if (sameTitle) {
      throw new LedgerRefusal(
        "identity",
        `the ledger already holds a different contract titled ${JSON.stringify(ir.title)} (identity ${sameTitle.identity}): ` +
          `if this text is that contract, write id "${sameTitle.identity}" in its header; if it is another contract, give it its own id`,
      );
    }
    if (!id.explicit) {
      const key = (p: ContractProfile) => JSON.stringify([p.parties, p.term]);
      const renamed = others.find((o) => key(o.profile) === key(id.profile));
      if (renamed) {
        throw new LedgerRefusal(
          "identity",
          `the ledger already holds contract ${renamed.identity} (${JSON.stringify(renamed.title)}) with the same parties and term: ` +
            `if this text is that contract under a new title, write id "${renamed.identity}" in its header; if it is another contract, give it its own id`,
        );
      }
    }
    // settlements from before identities, under this title, become this contract's
    const legacy =
      (await tx.get("SELECT 1 AS x FROM settlements WHERE contract_identity = ?", [`legacy:${ir.title}`])) && !(await tx.get("SELECT 1 AS x FROM contracts WHERE legacy = ?", [ir.title]))
        ? ir.title
        : null;
    await tx.run("INSERT INTO contracts (identity, explicit, title, profile, legacy, recorded_at) VALUES (?, ?, ?, ?, ?, ?)", [
      id.identity,
      id.explicit ? 1 : 0,
      ir.title,
      JSON.stringify(id.profile),
      legacy,
      at,
    ]);
    await appendToChain(tx, "contract", id.identity);
    return id.identity;
  }

  // ── drops ──

  /** Records a data drop (its files' hashes, who supplied it, when). Refuses to supersede a drop twice or across contracts. */
  async addDrop(d: NewDrop): Promise<DropRecord> {
    const id = await this.store.transaction((tx) => this.addDropIn(tx, d));
    return (await this.drop(id))!;
  }

  private async addDropIn(tx: Store, d: NewDrop): Promise<number> {
    if (d.files.length === 0) throw new LedgerRefusal("drop", "a drop needs at least one file");
    if (!d.suppliedBy.trim()) throw new LedgerRefusal("drop", "say who supplied the drop");
    const labels = new Set<string>();
    for (const f of d.files) {
      if (labels.has(f.label)) throw new LedgerRefusal("drop", `the file ${f.label} is given twice`);
      labels.add(f.label);
    }
    const identity = await this.register(tx, d.contract, d.recordedAt);
    if (d.supersedes !== undefined) {
      if (!d.reason?.trim()) throw new LedgerRefusal("drop", `say why the drop replaces drop ${d.supersedes} (a reason is kept with it)`);
      const old = await tx.get("SELECT contract_identity FROM drops WHERE id = ?", [d.supersedes]);
      if (!old) throw new LedgerRefusal("drop", `there is no drop ${d.supersedes} to supersede`);
      if (String(old["contract_identity"]) !== identity) throw new LedgerRefusal("drop", `drop ${d.supersedes} belongs to another contract (${String(old["contract_identity"])})`);
      const by = await tx.get("SELECT id FROM drops WHERE supersedes = ?", [d.supersedes]);
      if (by) throw new LedgerRefusal("drop", `drop ${d.supersedes} was already superseded by drop ${String(by["id"])}: supersede that one instead`);
    }
    const row = await tx.get("INSERT INTO drops (contract_identity, supplied_by, supplied_at, recorded_at, supersedes, reason) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [
      identity,
      d.suppliedBy,
      d.suppliedAt,
      d.recordedAt,
      d.supersedes ?? null,
      d.supersedes !== undefined ? d.reason! : null,
    ]);
    const id = Number(row!["id"]);
    for (const f of d.files) {
      await tx.run("INSERT INTO drop_files (drop_id, label, data_set, sha256, bytes) VALUES (?, ?, ?, ?, ?)", [id, f.label, f.dataSet ?? null, f.sha256, f.bytes]);
    }
    await appendToChain(tx, "drop", id);
    return id;
  }

  /** Records that a district or evaluator of the drop's contract vouches for it. */
  async attestDrop(a: NewAttestation): Promise<Attestation> {
    const id = await this.store.transaction((tx) => this.attestIn(tx, a));
    return (await this.drop(a.drop))!.attestations.find((x) => x.id === id)!;
  }

  private async attestIn(tx: Store, a: NewAttestation): Promise<number> {
    if (!(ATTESTING_ROLES as readonly string[]).includes(a.role)) throw new LedgerRefusal("attestation", `a drop is attested by the district or an evaluator, not by the ${a.role}`);
    if (!a.by.trim()) throw new LedgerRefusal("attestation", "say who attests the drop");
    const d = await tx.get("SELECT d.id, c.profile FROM drops d JOIN contracts c ON c.identity = d.contract_identity WHERE d.id = ?", [a.drop]);
    if (!d) throw new LedgerRefusal("attestation", `there is no drop ${a.drop}`);
    const profile = JSON.parse(String(d["profile"])) as ContractProfile;
    if (!profile.parties.some((p) => p.role === a.role)) throw new LedgerRefusal("attestation", `the contract has no ${a.role} among its parties`);
    const by = await tx.get("SELECT id FROM drops WHERE supersedes = ?", [a.drop]);
    if (by) throw new LedgerRefusal("attestation", `drop ${a.drop} was superseded by drop ${String(by["id"])}: attest that one`);
    const row = await tx.get("INSERT INTO attestations (drop_id, attested_by, role, attested_at, note) VALUES (?, ?, ?, ?, ?) RETURNING id", [a.drop, a.by, a.role, a.at, a.note ?? null]);
    const id = Number(row!["id"]);
    await appendToChain(tx, "attestation", id);
    return id;
  }

  /** One drop, or undefined. */
  async drop(id: number): Promise<DropRecord | undefined> {
    return (await this.dropsWhere("d.id = ?", [id]))[0];
  }

  /** Every drop (of one contract), oldest first. */
  async drops(opts: { contract?: string } = {}): Promise<DropRecord[]> {
    return opts.contract !== undefined ? this.dropsWhere("d.contract_identity = ?", [opts.contract]) : this.dropsWhere("1 = 1", []);
  }

  private async dropsWhere(where: string, params: unknown[], s: Store = this.store): Promise<DropRecord[]> {
    const rows = await s.all(
      `SELECT d.id, d.contract_identity, d.supplied_by, d.supplied_at, d.recorded_at, d.supersedes, d.reason, n.id AS superseded_by
         FROM drops d LEFT JOIN drops n ON n.supersedes = d.id WHERE ${where} ORDER BY d.id`,
      params,
    );
    const out: DropRecord[] = [];
    for (const r of rows) {
      const id = Number(r["id"]);
      const files = await s.all("SELECT label, data_set, sha256, bytes FROM drop_files WHERE drop_id = ? ORDER BY label", [id]);
      const atts = await s.all("SELECT id, attested_by, role, attested_at, note FROM attestations WHERE drop_id = ? ORDER BY id", [id]);
      const settled = await s.all("SELECT id FROM settlements WHERE drop_id = ? ORDER BY id", [id]);
      const supersedes = num(r["supersedes"]);
      const reason = str(r["reason"]);
      const supersededBy = num(r["superseded_by"]);
      out.push({
        id,
        contract: String(r["contract_identity"]),
        suppliedBy: String(r["supplied_by"]),
        suppliedAt: String(r["supplied_at"]),
        recordedAt: String(r["recorded_at"]),
        ...(supersedes !== undefined ? { supersedes } : {}),
        ...(reason !== undefined ? { reason } : {}),
        files: files.map((f) => ({ label: String(f["label"]), ...(f["data_set"] !== null ? { dataSet: String(f["data_set"]) } : {}), sha256: String(f["sha256"]), bytes: Number(f["bytes"]) })),
        attestations: atts.map((a) => {
          const note = str(a["note"]);
          return { id: Number(a["id"]), drop: id, by: String(a["attested_by"]), role: String(a["role"]), at: String(a["attested_at"]), ...(note !== undefined ? { note } : {}) };
        }),
        ...(supersededBy !== undefined ? { supersededBy } : {}),
        settlements: settled.map((x) => Number(x["id"])),
      });
    }
    return out;
  }

  // ── settle ──

  /**
   * Records what a run of an attested drop owes beyond what the ledger has already paid the
   * contract, in one transaction.
   * @throws LedgerRefusal when the ledger will not record it (nothing is written)
   */
  async settle(input: SettleInput, opts: SettleOptions = {}): Promise<SettleOutcome> {
    return this.writing(opts, (tx) => this.settleIn(tx, input, opts));
  }

  /**
   * Records a new drop, its attestation and its settlement in one transaction: all three, or
   * nothing when any is refused.
   */
  async settleNewDrop(
    d: Omit<NewDrop, "contract">,
    attestation: Omit<NewAttestation, "drop">,
    input: Omit<SettleInput, "drop">,
    opts: SettleOptions = {},
  ): Promise<SettleOutcome & { drop: number }> {
    return this.writing(opts, async (tx) => {
      const drop = await this.addDropIn(tx, { ...d, contract: input.ir });
      await this.attestIn(tx, { ...attestation, drop });
      return { ...(await this.settleIn(tx, { ...input, drop }, opts)), drop };
    });
  }

  /** Runs `fn` in a transaction; a dry run computes everything and rolls back. */
  private async writing<T extends SettleOutcome>(opts: SettleOptions, fn: (tx: Store) => Promise<T>): Promise<T> {
    if (!opts.dryRun) return this.store.transaction(fn);
    try {
      await this.store.transaction(async (tx) => {
        throw new DryRun(await fn(tx));
      });
    } catch (e) {
      if (e instanceof DryRun) return e.outcome as T;
      throw e;
    }
    throw new Error("unreachable");
  }

  private async settleIn(tx: Store, input: SettleInput, opts: SettleOptions): Promise<SettleOutcome> {
    const identity = await this.register(tx, input.ir, input.createdAt);
    const contractHash = sha256Hex(input.contractSource);
    const inputs = await this.checkDrop(tx, input.drop, identity);
    const inHash = inputsHash(inputs);
    const empty = (status: SettleOutcome["status"], settlementId?: number): SettleOutcome => ({
      status,
      ...(settlementId !== undefined ? { settlementId } : {}),
      contract: identity,
      lines: [],
      payments: 0n,
      adjustments: 0n,
      net: 0n,
    });
    const dup = await tx.get("SELECT id FROM settlements WHERE contract_hash = ? AND inputs_hash = ? AND as_of = ?", [contractHash, inHash, input.asOf]);
    if (dup) return empty("duplicate", Number(dup["id"]));

    const scope = await this.scope(tx, identity);
    const inScope = `s.contract_identity IN (${scope.map(() => "?").join(", ")})`;
    const owed = owedByRun(input.result);
    // per key: what was paid, and the newest line (for the basis of a correction's reason)
    const prior = new Map<string, bigint>();
    const newest = new Map<string, bigint>();
    for (const [student, clause, period, payer, total, last] of await tx.rows(
      `SELECT l.student_key, l.clause, l.period, l.payer, SUM(l.amount_cents), MAX(l.id)
         FROM lines l JOIN settlements s ON s.id = l.settlement_id
        WHERE ${inScope} GROUP BY l.student_key, l.clause, l.period, l.payer`,
      scope,
    )) {
      prior.set(keyOf(String(student), String(clause), String(period), String(payer)), BigInt(total as bigint));
      const triple = JSON.stringify([String(student), String(clause), String(period)]);
      if ((newest.get(triple) ?? -1n) < BigInt(last as bigint)) newest.set(triple, BigInt(last as bigint));
    }
    const dataFields = new Set([...input.ir.fields.keys()]);
    const keys = [...new Set([...owed.keys(), ...prior.keys()])].sort();
    const changed: { k: string; diff: bigint }[] = [];
    let paidKeys = 0;
    let reversed = 0;
    for (const k of keys) {
      const paid = prior.get(k) ?? 0n;
      const now = owed.get(k)?.cents ?? 0n;
      if (paid > 0n) {
        paidKeys++;
        if (now <= 0n) reversed++;
      }
      if (now !== paid) changed.push({ k, diff: now - paid });
    }
    // the bases behind the lines a correction changes
    const bases = new Map<string, { basis: Basis; contractHash: string }>();
    const wanted = [...new Set(changed.filter((c) => prior.has(c.k)).map((c) => newest.get(JSON.stringify((JSON.parse(c.k) as string[]).slice(0, 3)))!))];
    for (let i = 0; i < wanted.length; i += BATCH) {
      const ids = wanted.slice(i, i + BATCH);
      for (const [student, clause, period, basis, hash] of await tx.rows(
        `SELECT l.student_key, l.clause, l.period, l.basis, s.contract_hash FROM lines l JOIN settlements s ON s.id = l.settlement_id WHERE l.id IN (${ids.map(() => "?").join(", ")})`,
        ids,
      )) {
        let b: Basis = {};
        try {
          b = basis ? (JSON.parse(String(basis)) as Basis) : {};
        } catch {
          b = {};
        }
        bases.set(JSON.stringify([String(student), String(clause), String(period)]), { basis: b, contractHash: String(hash) });
      }
    }
    const lines: (LedgerLine & { basis: string | null })[] = changed.map(({ k, diff }) => {
      const o = owed.get(k);
      const [student, clause, period, payer] = JSON.parse(k) as [string, string, string, string];
      const hadLines = prior.has(k);
      return {
        studentKey: student,
        clause,
        period,
        payer,
        amount: diff,
        kind: hadLines ? "adjustment" : "payment",
        reason: reasonFor(o, bases.get(JSON.stringify([student, clause, period])), hadLines, contractHash, dataFields),
        basis: o ? JSON.stringify({ status: o.status, ...(o.amount !== undefined ? { amount: o.amount } : {}), values: o.values }) : null,
      };
    });

    // the guards: a roster that shrank, paid lines reversed
    const roster = rosterOf(input.result, input.ir);
    const prev = await tx.get(`SELECT roster FROM settlements s WHERE ${inScope} AND roster IS NOT NULL ORDER BY id DESC LIMIT 1`, scope);
    const previousRoster = num(prev?.["roster"]);
    const max = input.maxShrink ?? DEFAULT_MAX_SHRINK;
    if (!(max >= 0 && max <= 100)) throw new RangeError("maxShrink is a percent from 0 to 100");
    const concerns: string[] = [];
    if (roster !== undefined && previousRoster !== undefined && roster * 100 < previousRoster * (100 - max)) {
      concerns.push(`the roster has ${roster} student${roster === 1 ? "" : "s"}, ${pct(previousRoster - roster, previousRoster)} fewer than the ${previousRoster} of the previous settlement`);
    }
    if (paidKeys > 0 && reversed * 100 > paidKeys * max) {
      concerns.push(`it would reverse ${reversed} of the ${paidKeys} paid lines (${pct(reversed, paidKeys)})`);
    }
    let accepted: SettleOutcome["accepted"];
    if (concerns.length > 0) {
      const what = `${concerns.join(", and ")}; more than the ${max}% allowed`;
      if (!input.accept?.trim()) {
        throw new LedgerRefusal(concerns[0]!.startsWith("the roster") ? "shrink" : "reversal", `refused: ${what}. If this is right, settle again with the reason (--accept "…"); it is kept in the ledger`);
      }
      accepted = { reason: input.accept.trim(), what };
    }

    if (lines.length === 0) return { ...empty("unchanged"), ...(roster !== undefined ? { roster } : {}), ...(previousRoster !== undefined ? { previousRoster } : {}) };
    const payments = lines.filter((l) => l.kind === "payment").reduce((a, l) => a + l.amount, 0n);
    const adjustments = lines.filter((l) => l.kind === "adjustment").reduce((a, l) => a + l.amount, 0n);
    const outcome: SettleOutcome = {
      status: "recorded",
      contract: identity,
      lines: lines.map(({ basis: _b, ...l }) => l),
      payments,
      adjustments,
      net: payments + adjustments,
      ...(roster !== undefined ? { roster } : {}),
      ...(previousRoster !== undefined ? { previousRoster } : {}),
      ...(accepted ? { accepted } : {}),
    };
    const c = input.result.contract;
    const row = await tx.get(
      `INSERT INTO settlements (contract_title, contract_version, contract_hash, inputs_hash, as_of, created_at, currency, line_count, net_cents,
                                contract_identity, profile, roster, drop_id, accepted_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        c.title, c.version ?? null, contractHash, inHash, input.asOf, input.createdAt, c.currency, lines.length, outcome.net,
        identity, JSON.stringify(contractIdentity(input.ir).profile), roster ?? null, input.drop, accepted?.reason ?? null,
      ],
    );
    const id = Number(row!["id"]);
    for (const i of inputs) await tx.run("INSERT INTO settlement_inputs (settlement_id, label, sha256) VALUES (?, ?, ?)", [id, i.label, i.sha256]);
    let written = 0;
    for (let i = 0; i < lines.length; i += BATCH) {
      const batch = lines.slice(i, i + BATCH);
      await tx.run(
        `INSERT INTO lines (settlement_id, student_key, clause, period, payer, amount_cents, kind, reason, basis) VALUES ${batch.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        batch.flatMap((l) => [id, l.studentKey, l.clause, l.period, l.payer, l.amount, l.kind, l.reason, l.basis]),
      );
      written += batch.length;
      opts.afterLines?.(written);
    }
    await appendToChain(tx, "settlement", id);
    return { ...outcome, settlementId: id };
  }

  /** The files of an attested, current drop of this contract (refuses anything else). */
  private async checkDrop(tx: Store, dropId: number, identity: string): Promise<{ label: string; sha256: string }[]> {
    const [d] = await this.dropsWhere("d.id = ?", [dropId], tx);
    if (!d) throw new LedgerRefusal("drop", `there is no drop ${dropId}`);
    if (d.contract !== identity) throw new LedgerRefusal("drop", `drop ${dropId} is data for another contract (${d.contract}), not ${identity}`);
    if (d.supersededBy !== undefined) throw new LedgerRefusal("drop", `drop ${dropId} was superseded by drop ${d.supersededBy}: settle that one`);
    if (d.attestations.length === 0) throw new LedgerRefusal("drop", `drop ${dropId} has not been attested: the district or an evaluator attests it first (obc drop attest ${dropId} --by NAME --role district)`);
    return d.files.map((f) => ({ label: f.label, sha256: f.sha256 }));
  }

  // ── queries ──

  /** Every settlement, oldest first (optionally of one contract). */
  async history(opts: { contract?: string } = {}): Promise<SettlementSummary[]> {
    const rows = await this.store.all(
      `SELECT s.id, s.contract_identity, s.contract_title, s.contract_version, s.contract_hash, s.inputs_hash, s.as_of, s.created_at, s.currency, s.line_count,
              s.roster, s.drop_id, s.accepted_reason,
              COALESCE(SUM(CASE WHEN l.kind = 'payment' THEN l.amount_cents END), 0) AS payments,
              COALESCE(SUM(CASE WHEN l.kind = 'adjustment' THEN l.amount_cents END), 0) AS adjustments,
              COALESCE(SUM(l.amount_cents), 0) AS net
         FROM settlements s LEFT JOIN lines l ON l.settlement_id = s.id
        WHERE ${await this.filter(opts)}
        GROUP BY s.id, s.contract_identity, s.contract_title, s.contract_version, s.contract_hash, s.inputs_hash, s.as_of, s.created_at, s.currency, s.line_count,
                 s.roster, s.drop_id, s.accepted_reason
        ORDER BY s.id`,
      await this.filterParams(opts),
    );
    const out: SettlementSummary[] = [];
    for (const r of rows) {
      const inputs = await this.store.all("SELECT label, sha256 FROM settlement_inputs WHERE settlement_id = ? ORDER BY label", [r["id"]]);
      const version = str(r["contract_version"]);
      const roster = num(r["roster"]);
      const drop = num(r["drop_id"]);
      const acceptedReason = str(r["accepted_reason"]);
      out.push({
        id: Number(r["id"]),
        contract: String(r["contract_identity"]),
        contractTitle: String(r["contract_title"]),
        ...(version !== undefined ? { contractVersion: version } : {}),
        contractHash: String(r["contract_hash"]),
        inputsHash: String(r["inputs_hash"]),
        asOf: String(r["as_of"]),
        createdAt: String(r["created_at"]),
        currency: String(r["currency"]),
        lineCount: Number(r["line_count"]),
        payments: BigInt(r["payments"] as bigint),
        adjustments: BigInt(r["adjustments"] as bigint),
        net: BigInt(r["net"] as bigint),
        ...(roster !== undefined ? { roster } : {}),
        ...(drop !== undefined ? { drop } : {}),
        ...(acceptedReason !== undefined ? { acceptedReason } : {}),
        inputs: inputs.map((i) => ({ label: String(i["label"]), sha256: String(i["sha256"]) })),
      });
    }
    return out;
  }

  private async filter(opts: { contract?: string }): Promise<string> {
    if (opts.contract === undefined) return "1 = 1";
    return `s.contract_identity IN (${(await this.scope(this.store, opts.contract)).map(() => "?").join(", ")})`;
  }
  private async filterParams(opts: { contract?: string }): Promise<string[]> {
    return opts.contract === undefined ? [] : this.scope(this.store, opts.contract);
  }

  /** What has been paid in all, per student key, clause or payer (sorted by it). Cohort payments have student key "". */
  async balances(by: BalanceBy, opts: { contract?: string } = {}): Promise<{ key: string; cents: bigint; lines: number }[]> {
    const col = { student: "l.student_key", clause: "l.clause", payer: "l.payer" }[by];
    const rows = await this.store.all(
      `SELECT ${col} AS k, SUM(l.amount_cents) AS total, COUNT(*) AS n
         FROM lines l JOIN settlements s ON s.id = l.settlement_id
        WHERE ${await this.filter(opts)}
        GROUP BY ${col} ORDER BY ${col}`,
      await this.filterParams(opts),
    );
    return rows.map((r) => ({ key: String(r["k"]), cents: BigInt(r["total"] as bigint), lines: Number(r["n"]) }));
  }

  /** Every line as CSV, in a fixed order (settlement, student key, clause, period, payer, line). */
  async exportLinesCsv(opts: { contract?: string } = {}): Promise<string> {
    const rows = await this.store.all(
      `SELECT s.id AS settlement_id, s.created_at, s.as_of, s.contract_identity, s.contract_title, s.contract_version, s.contract_hash,
              l.student_key, l.clause, l.period, l.payer, l.kind, l.amount_cents, l.reason
         FROM lines l JOIN settlements s ON s.id = l.settlement_id
        WHERE ${await this.filter(opts)}
        ORDER BY s.id, l.student_key, l.clause, l.period, l.payer, l.id`,
      await this.filterParams(opts),
    );
    const header = ["settlement", "created_at", "as_of", "contract_id", "contract", "contract_version", "contract_sha256", "student_key", "clause", "period", "payer", "kind", "amount", "reason"];
    const out = [header.join(",")];
    for (const r of rows) {
      out.push(
        [
          String(r["settlement_id"]), String(r["created_at"]), String(r["as_of"]), String(r["contract_identity"]), String(r["contract_title"]),
          str(r["contract_version"]) ?? "", String(r["contract_hash"]), String(r["student_key"]), String(r["clause"]), String(r["period"]),
          String(r["payer"]), String(r["kind"]), fromCents(BigInt(r["amount_cents"] as bigint)), String(r["reason"]),
        ]
          .map(csvCell)
          .join(","),
      );
    }
    return out.join("\n") + "\n";
  }

  /** Every line of one settlement, in the CSV order. */
  async settlementLines(settlementId: number): Promise<LedgerLine[]> {
    const rows = await this.store.all(
      "SELECT student_key, clause, period, payer, amount_cents, kind, reason FROM lines WHERE settlement_id = ? ORDER BY student_key, clause, period, payer, id",
      [settlementId],
    );
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

  /** Test and tooling access to the rows (read-only use, e.g. counting). */
  async count(table: string): Promise<number> {
    if (!/^[a-z_]+$/.test(table)) throw new RangeError("table name");
    return Number((await this.store.get(`SELECT COUNT(*) AS n FROM ${table}`))?.["n"] ?? 0);
  }
}

const pct = (part: number, whole: number) => `${Math.round((part * 1000) / whole) / 10}%`;

/** Students accepted in the roster data set(s) of a run (undefined when the contract has none). */
export function rosterOf(result: RunResult, ir: ContractIR): number | undefined {
  const sets = new Set(ir.dataSets.filter((d) => d.roster).map((d) => d.name));
  if (sets.size === 0) return undefined;
  return result.dataQuality.files.filter((f) => sets.has(f.dataSet)).reduce((a, f) => a + f.rowsAccepted, 0);
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** sha256 of a text, hex. */
export const sha256Hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** The identity of a set of input files: sha256 of their sorted, distinct sha256s (labels do not count). */
export function inputsHash(inputs: readonly { sha256: string }[]): string {
  return sha256Hex([...new Set(inputs.map((i) => i.sha256))].sort().join("\n"));
}

interface Basis {
  status?: string;
  amount?: string;
  values?: Record<string, string>;
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

