/**
 * Verifying a ledger: in full, or from its last verified checkpoint.
 *
 * Full verification ({@link verifyFull}) recomputes the hash of every record from its rows and
 * checks that the journal is one gapless line of records, each following the one before; that
 * every record is in it once and every row belongs to a record; that every settlement's stored
 * line count and net equal its lines; and that the append-only triggers are all in place, as
 * obc wrote them. Its cost grows with the ledger (every line is read and hashed).
 *
 * A checkpoint (table `checkpoints`) records what a verification found: the chain's length and
 * head, the rows in each table, and a fingerprint of the ledger's schema (Store.protection:
 * SQLite's schema cookie; on PostgreSQL the versions of the catalog rows of the ledger's tables,
 * triggers and functions). The check from a checkpoint ({@link verifySince}) then costs what
 * was added since, and is sound for this reason: the triggers refuse every UPDATE, DELETE (and
 * TRUNCATE) of a ledger row, so changing or removing a row means dropping or disabling a
 * trigger, which changes the fingerprint even when the trigger is put back. Rows can only be
 * added; the row counts find any row added outside a record. So when
 *   - the triggers are those obc wrote and the fingerprint is the checkpoint's,
 *   - the journal still holds the checkpoint's head at its place, gapless and linked,
 *   - every record after the checkpoint hashes to its journal entry, and
 *   - every table holds the checkpoint's rows plus those of the records after it,
 * no row verified at the checkpoint can have been changed, removed or added to. Anything else
 * sends it to full verification (which names the problems). What neither can see: a ledger
 * rewritten without SQL (a file's bytes edited, a database server's files), or a ledger
 * replaced as a whole by a forged one consistent in itself; a head kept outside the ledger
 * (`--expect-head`, see {@link Anchor}) finds the second.
 */
import { createHash } from "node:crypto";
import { GENESIS, RECORD_TABLES, recordHash, zeroCounts, type RecordKind, type RowCounts } from "./chain.ts";
import { expectedTriggers } from "./migrations.ts";
import type { Store } from "./store.ts";

/** A head kept outside the ledger: a record's hash (its first 16 hex digits at least), and its number when known. */
export interface Anchor {
  seq?: number;
  /** lower-case hex, 16 to 64 digits */
  hash: string;
}

/** Reads `[SEQ:]HASH` (16 to 64 hex digits); undefined when it is not one. */
export function parseAnchor(text: string): Anchor | undefined {
  const m = /^(?:#?(\d+):)?([0-9a-fA-F]{16,64})$/.exec(text.trim());
  if (!m) return undefined;
  return { ...(m[1] !== undefined ? { seq: Number(m[1]) } : {}), hash: m[2]!.toLowerCase() };
}

/** The head as printed for people to keep: `SEQ:HASH`. */
export const formatHead = (seq: number, hash: string) => `${seq}:${hash}`;

export interface Verification {
  ok: boolean;
  /** what is wrong, one sentence each (never a student's value) */
  problems: string[];
  /** "full": every record's hash recomputed; "since": from the last checkpoint (see above) */
  how: "full" | "since";
  /** records in the chain */
  records: number;
  /** records whose hash was recomputed now */
  rehashed: number;
  settlements: number;
  /** the last record's number and hash: write them down elsewhere (a statement, an e-mail) to detect a rewritten ledger later */
  headSeq: number;
  head: string;
  /** each anchor given, and the record it was found at */
  anchors: { anchor: Anchor; foundAt?: number }[];
  /** what is worth knowing but is not a problem */
  notes: string[];
}

export interface Checkpoint {
  id: number;
  seq: number;
  hash: string;
  counts: RowCounts;
  protection: string;
  how: "full" | "since";
  at: string | null;
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");

/** The schema's fingerprint as checkpoints keep it. */
export async function protectionFingerprint(s: Store): Promise<string> {
  return sha256(await s.protection());
}

export async function latestCheckpoint(s: Store): Promise<Checkpoint | undefined> {
  const r = await s.get("SELECT id, seq, hash, counts, protection, how, at FROM checkpoints ORDER BY id DESC LIMIT 1");
  if (!r) return undefined;
  let counts: RowCounts;
  try {
    counts = { ...zeroCounts(), ...(JSON.parse(String(r["counts"])) as Partial<RowCounts>) };
  } catch {
    return undefined; // unreadable: verified in full (whose checkpoint replaces it)
  }
  return { id: Number(r["id"]), seq: Number(r["seq"]), hash: String(r["hash"]), counts, protection: String(r["protection"]), how: r["how"] === "full" ? "full" : "since", at: r["at"] === null ? null : String(r["at"]) };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const describe = (kind: RecordKind, ref: string) => (kind === "contract" ? `the contract record ${JSON.stringify(ref)}` : `${kind} ${ref}`);
const when = (cp: Checkpoint) => (cp.at ? ` on ${cp.at}` : "");

/** The append-only triggers, as obc wrote them: problems when one is missing, altered or disabled. */
async function triggerProblems(s: Store): Promise<string[]> {
  const expected = expectedTriggers(s.dialect);
  const have = new Map((await s.triggers()).map((t) => [t.name, t]));
  const missing = [...expected.keys()].filter((n) => !have.has(n));
  const altered = [...expected].filter(([n, def]) => have.has(n) && have.get(n)!.definition !== def).map(([n]) => n);
  const disabled = [...expected.keys()].filter((n) => have.has(n) && !have.get(n)!.enabled);
  const out: string[] = [];
  if (missing.length > 0) out.push(`the ledger's append-only protection was removed (${plural(missing.length, "trigger")} missing, e.g. ${missing[0]})`);
  if (altered.length > 0) out.push(`the ledger's append-only protection was altered (${plural(altered.length, "trigger")} not as obc wrote ${altered.length === 1 ? "it" : "them"}, e.g. ${altered[0]})`);
  if (disabled.length > 0) out.push(`the ledger's append-only protection can be bypassed (${plural(disabled.length, "trigger")} disabled or not enabled always, e.g. ${disabled[0]})`);
  return out;
}

async function tableCounts(s: Store): Promise<RowCounts> {
  const c = zeroCounts();
  for (const t of RECORD_TABLES) c[t] = Number((await s.get(`SELECT COUNT(*) AS n FROM ${t}`))?.["n"] ?? 0);
  return c;
}

const addRows = (into: RowCounts, rows: Partial<RowCounts>) => {
  for (const [t, n] of Object.entries(rows) as [keyof RowCounts, number][]) into[t] += n;
};

function matchAnchors(anchors: { anchor: Anchor; foundAt?: number }[], seq: number, hash: string) {
  for (const a of anchors) if (a.foundAt === undefined && (a.anchor.seq === undefined || a.anchor.seq === seq) && hash.startsWith(a.anchor.hash)) a.foundAt = seq;
}

function anchorProblems(anchors: { anchor: Anchor; foundAt?: number }[], records: number): string[] {
  return anchors
    .filter((a) => a.foundAt === undefined)
    .map((a) =>
      a.anchor.seq !== undefined && a.anchor.seq > records
        ? `the ledger has ${plural(records, "record")}, not the ${a.anchor.seq} of the head you kept (${a.anchor.hash.slice(0, 16)}…): records were removed`
        : `the ledger does not contain the head you kept (${a.anchor.seq !== undefined ? `${a.anchor.seq}:` : ""}${a.anchor.hash.slice(0, 16)}…): it was rewritten or cut short since, or the head is from another ledger`,
    );
}

export interface FullResult extends Verification {
  counts: RowCounts;
  /** the fingerprint differs from the last checkpoint's (the schema was changed since) */
  protectionChanged: boolean;
}

/** Checks the whole ledger (never throws for a tampered ledger). */
export async function verifyFull(s: Store, opts: { checkpoint?: Checkpoint; anchors?: Anchor[]; maxProblems?: number } = {}): Promise<FullResult> {
  const max = opts.maxProblems ?? 20;
  const problems: string[] = [];
  const add = (p: string) => {
    if (problems.length < max) problems.push(p);
  };
  const anchors = (opts.anchors ?? []).map((anchor) => ({ anchor }));
  const cp = opts.checkpoint;

  let prev = GENESIS;
  let expected = 1;
  let records = 0;
  let cpSeen = cp?.seq === 0;
  const rows = zeroCounts();
  const PAGE = 500;
  for (;;) {
    const page = await s.rows(`SELECT seq, kind, ref, prev_hash, hash FROM journal WHERE seq >= ? ORDER BY seq LIMIT ${PAGE}`, [expected]);
    for (const [seqV, kindV, refV, prevV, hashV] of page) {
      const seq = Number(seqV);
      const kind = String(kindV) as RecordKind;
      const ref = String(refV);
      if (seq !== expected) add(`the chain has a gap: record ${expected} is missing`);
      expected = seq + 1;
      if (String(prevV) !== prev) add(`record ${seq} (${describe(kind, ref)}) does not follow the one before it: a record was removed, inserted or rewritten`);
      const r = await recordHash(s, kind, ref, String(prevV));
      if (r === undefined) add(`${describe(kind, ref)} is in the chain but no longer in the ledger`);
      else {
        addRows(rows, r.rows);
        if (r.hash !== String(hashV)) add(`${describe(kind, ref)} was changed after it was recorded (its contents do not match its hash)`);
      }
      // what follows is checked against the hash recomputed here, not the one stored
      prev = r?.hash ?? String(hashV);
      matchAnchors(anchors, seq, prev);
      if (cp && seq === cp.seq) {
        cpSeen = true;
        // the journal itself rewritten (a changed record is reported above)
        if (String(hashV) !== cp.hash) add(`records 1 to ${cp.seq} are not those verified${when(cp)}: the ledger was rewritten since`);
      }
      records++;
    }
    if (page.length < PAGE) break;
  }
  rows.journal = records;
  if (cp && !cpSeen) add(`the ledger had ${plural(cp.seq, "record")} when it was verified${when(cp)} and has ${records} now: records were removed`);

  const counts = await tableCounts(s);
  for (const t of RECORD_TABLES) {
    if (counts[t] !== rows[t]) add(`${t} holds ${plural(counts[t], "row")} but the records in the chain have ${rows[t]}: rows were added or removed outside obc`);
  }
  const totals = await s.rows(
    `SELECT s.id, s.line_count, s.net_cents, COUNT(l.id) AS n, COALESCE(SUM(l.amount_cents), 0) AS net
       FROM settlements s LEFT JOIN lines l ON l.settlement_id = s.id
      GROUP BY s.id, s.line_count, s.net_cents ORDER BY s.id`,
  );
  for (const [id, lineCount, net, n, sum] of totals) {
    if (BigInt(lineCount as bigint) !== BigInt(n as bigint) || BigInt(net as bigint) !== BigInt(sum as bigint)) add(`settlement ${String(id)}'s stored total or line count does not match its lines`);
  }
  for (const p of anchorProblems(anchors, records)) add(p);
  for (const p of await triggerProblems(s)) add(p);
  const protectionChanged = cp !== undefined && (await protectionFingerprint(s)) !== cp.protection;
  return {
    ok: problems.length === 0,
    problems,
    how: "full",
    records,
    rehashed: records,
    settlements: totals.length,
    headSeq: records === 0 ? 0 : expected - 1,
    head: prev,
    anchors,
    notes: [],
    counts,
    protectionChanged,
  };
}

/**
 * Checks the ledger from a checkpoint (see above): cheap, and sound for every change made
 * through the database. Undefined when anything is not as it should be: then verify in full.
 */
export async function verifySince(s: Store, cp: Checkpoint, opts: { anchors?: Anchor[] } = {}): Promise<(Verification & { counts: RowCounts }) | undefined> {
  if ((await triggerProblems(s)).length > 0) return undefined;
  if ((await protectionFingerprint(s)) !== cp.protection) return undefined;
  const journal = await s.rows("SELECT seq, kind, ref, prev_hash, hash FROM journal ORDER BY seq");
  if (journal.length < cp.seq) return undefined;
  const anchors = (opts.anchors ?? []).map((anchor) => ({ anchor }));
  const rows: RowCounts = { ...cp.counts };
  let prev = GENESIS;
  let rehashed = 0;
  for (const [i, [seqV, kindV, refV, prevV, hashV]] of journal.entries()) {
    const seq = Number(seqV);
    if (seq !== i + 1 || String(prevV) !== prev) return undefined;
    const hash = String(hashV);
    if (seq === cp.seq && hash !== cp.hash) return undefined;
    if (seq > cp.seq) {
      const r = await recordHash(s, String(kindV) as RecordKind, String(refV), prev);
      if (r === undefined || r.hash !== hash) return undefined;
      addRows(rows, r.rows);
      rows.journal++;
      rehashed++;
    }
    matchAnchors(anchors, seq, hash);
    prev = hash;
  }
  const counts = await tableCounts(s);
  if (RECORD_TABLES.some((t) => counts[t] !== rows[t])) return undefined;
  const problems = anchorProblems(anchors, journal.length);
  return {
    ok: problems.length === 0,
    problems,
    how: "since",
    records: journal.length,
    rehashed,
    settlements: counts.settlements,
    headSeq: journal.length,
    head: prev,
    anchors,
    notes: [],
    counts,
  };
}

export interface CheckOptions {
  /** verify every record, whatever the checkpoints say */
  full?: boolean;
  /** heads kept outside the ledger: each must be in the chain */
  anchors?: Anchor[];
  /** recorded with a new checkpoint (the clock is an input) */
  at?: string | null;
  /**
   * obc changed the schema itself since the last checkpoint (migrations applied now, to a ledger
   * whose fingerprint was the checkpoint's before them): verified in full and sealed again
   */
  migrated?: boolean;
}

/** Whether the schema is as the last checkpoint found it (undefined when there is none yet). */
export async function protectionAsCheckpointed(s: Store): Promise<boolean | undefined> {
  if (!(await s.tables()).includes("checkpoints")) return undefined;
  const cp = await latestCheckpoint(s);
  return cp && (await protectionFingerprint(s)) === cp.protection;
}

/**
 * Verifies a ledger as it is opened: from its last checkpoint when that check holds, else in
 * full; records a new checkpoint when the chain grew since (or none was there). Runs in one
 * transaction holding the write lock (a snapshot on PostgreSQL), so what the checkpoint
 * records is the state that was checked; a ledger that cannot be written (a read-only file) is
 * checked without one.
 *
 * After a change to the schema (the fingerprint differs from the checkpoint's) the ledger is
 * refused even when every record verifies: records may have been removed from its end, which
 * no check inside the ledger can see. A head kept outside (an anchor) that is found in the
 * chain settles it: the ledger is sealed again with a new checkpoint.
 */
export async function checkLedger(store: Store, opts: CheckOptions = {}): Promise<Verification> {
  const check = async (tx: Store, canWrite: boolean): Promise<Verification> => {
    const cp = await latestCheckpoint(tx);
    let v: (Verification & { counts: RowCounts }) | undefined = !opts.full && !opts.migrated && cp ? await verifySince(tx, cp, { anchors: opts.anchors ?? [] }) : undefined;
    let resealed = false;
    if (v === undefined) {
      const full = await verifyFull(tx, { ...(cp ? { checkpoint: cp } : {}), anchors: opts.anchors ?? [] });
      if (full.protectionChanged) {
        const kept = full.anchors.find((a) => a.foundAt !== undefined);
        if (full.ok && opts.migrated) {
          resealed = true;
        } else if (full.ok && kept) {
          resealed = true;
          full.notes.push(
            `the ledger's schema was changed outside obc since it was verified${when(cp!)}; every record verified, and the first ${plural(kept.foundAt!, "record")} match the head you kept, so it is sealed again` +
              (kept.foundAt! < full.headSeq ? ` (the ${plural(full.headSeq - kept.foundAt!, "record")} after that head are not covered by it)` : ""),
          );
        } else {
          full.problems.push(
            `the ledger's schema (its tables or append-only triggers) was changed outside obc since it was verified${when(cp!)}, so records may have been removed from its end: ` +
              `check it against the head you kept (obc ledger --verify --expect-head SEQ:HASH)`,
          );
          full.ok = false;
        }
      }
      v = full;
    }
    if (v.ok && canWrite && (!cp || v.headSeq > cp.seq || resealed || v.how === "full")) {
      await tx.run("INSERT INTO checkpoints (seq, hash, counts, protection, how, at) VALUES (?, ?, ?, ?, ?, ?)", [
        v.headSeq,
        v.head,
        JSON.stringify(v.counts),
        await protectionFingerprint(tx),
        v.how,
        opts.at ?? null,
      ]);
    }
    return { ok: v.ok, problems: v.problems, how: v.how, records: v.records, rehashed: v.rehashed, settlements: v.settlements, headSeq: v.headSeq, head: v.head, anchors: v.anchors, notes: v.notes };
  };
  try {
    return await store.transaction((tx) => check(tx, true), { snapshot: true });
  } catch (e) {
    const code = (e as { code?: string }).code ?? "";
    if (code === "SQLITE_READONLY" || code === "25006" /* read_only_sql_transaction */ || code === "42501" /* insufficient privilege */) return check(store, false);
    throw e;
  }
}
