/**
 * Versions in force: from a contract with amendments to the contract a run computes.
 *
 * Input: the checked contract (its `amendments`, each a whole checked version) and the
 * run's date. Output: one ContractIR holding the clauses the run pays, each (payment clause
 * or cohort clause) as it stands in the version in force on the clause's own date, and every
 * other term (groups, metrics, weights, caps, floor, funding, escalations) as it stands in
 * the version in force on the run's date; plus, per clause, the version used, so every
 * payment line and cohort payment says which version it follows.
 *
 * The rule, stated once (docs/language.md, Amendments, and the summary follow it):
 * - the clauses a run pays are those of the version in force on the run's date, and those an
 *   amendment removed, replaced or renamed after they fell due;
 * - each follows the version in force on its own date: its `due` date (as written in the
 *   version in force on the run's date, or in the last version that had it), or the run's
 *   date for a clause without one; a clause that version does not have is not paid.
 * A clause keeps its identity (`ClauseIR.key`) through renames and replacements by name.
 */
import type { ContractIR } from "../language/check/ir.ts";

/** One version of a contract: the base, then each amendment in the order they take effect. */
export interface ContractVersion {
  /** the version's label: the contract's `version`, or the amendment's */
  version?: string;
  /** the first day it is in force (none for the base) */
  effective?: string;
  /** the whole contract of this version, without amendments */
  ir: ContractIR;
}

/** Every version of the contract, the base first. */
export function contractVersions(ir: ContractIR): ContractVersion[] {
  return [
    { ...(ir.version !== undefined ? { version: ir.version } : {}), ir: { ...ir, amendments: [] } },
    ...ir.amendments.map((a) => ({ version: a.version, effective: a.effective, ir: a.ir })),
  ];
}

/** The index of the version in force on `date`: the last one effective on or before it. */
function indexOn(all: ContractVersion[], date: string): number {
  let k = 0;
  all.forEach((v, i) => {
    if (v.effective !== undefined && v.effective <= date) k = i;
  });
  return k;
}

export function irInForce(ir: ContractIR, date: string): { ir: ContractIR; version?: string } {
  let current: { ir: ContractIR; version?: string } = { ir, version: ir.version };
  for (const a of ir.amendments) if (a.effective <= date) current = { ir: a.ir, version: a.version };
  return current;
}

/**
 * The contract as it stood at one version (`obc run --version 1.0`: "what would we have paid
 * as signed?"), without the amendments after it; undefined when no version has that label.
 */
export function contractAtVersion(ir: ContractIR, version: string): ContractIR | undefined {
  const all = contractVersions(ir);
  // the last version of that label (an amendment may repeat a label; the latest is meant)
  const v = [...all].reverse().find((x) => x.version === version);
  return v ? { ...v.ir, amendments: [] } : undefined;
}

/** The labels of the contract's versions, in order (unlabelled versions left out). */
export function versionLabels(ir: ContractIR): string[] {
  return contractVersions(ir).flatMap((v) => (v.version !== undefined ? [v.version] : []));
}

export interface Composite {
  ir: ContractIR;
  /** clause id (payment or cohort clause) → the version of the contract it was computed under */
  clauseVersions: Map<string, string>;
}

/**
 * Identities of every version's clauses in one order that keeps each version's own order: a
 * clause an amendment brings in stands before the clause after it in that version (so the
 * clauses that replace one stand where it stood), or last.
 */
function mergedOrder(lists: string[][]): string[] {
  const order: string[] = [];
  for (const list of lists) {
    list.forEach((key, i) => {
      if (order.includes(key)) return;
      // before the next clause of this version already placed, else at the end
      const next = list.slice(i + 1).find((k) => order.includes(k));
      order.splice(next === undefined ? order.length : order.indexOf(next), 0, key);
    });
  }
  return order;
}

interface Dated {
  id: string;
  key: string;
  decl: { due?: { value: string } };
}

/**
 * The clauses of one kind a run dated `date` pays, each from the version it follows (see the
 * rule above), in merged order; two clauses of one output id keep the one in force on the run's date.
 */
function clausesInForce<T extends Dated>(all: ContractVersion[], a: number, date: string, get: (ir: ContractIR) => T[]): { item: T; version?: string }[] {
  const out: { item: T; version?: string; atRun: boolean }[] = [];
  for (const key of mergedOrder(all.map((v) => get(v.ir).map((c) => c.key)))) {
    let k0 = -1;
    for (let j = a; j >= 0 && k0 < 0; j--) if (get(all[j]!.ir).some((c) => c.key === key)) k0 = j;
    if (k0 < 0) continue; // only in versions after the run's date: not in force yet
    const first = get(all[k0]!.ir).find((c) => c.key === key)!;
    const k = indexOn(all, first.decl.due?.value ?? date);
    const item = get(all[k]!.ir).find((c) => c.key === key);
    if (!item) continue; // removed before it falls due, or brought in after its deadline
    const clash = out.findIndex((o) => o.item.id === item.id);
    if (clash >= 0) {
      if (out[clash]!.atRun || k0 !== a) continue;
      out.splice(clash, 1);
    }
    out.push({ item, ...(all[k]!.version !== undefined ? { version: all[k]!.version } : {}), atRun: k0 === a });
  }
  return out.map(({ item, version }) => ({ item, ...(version !== undefined ? { version } : {}) }));
}

export function compositeIR(ir: ContractIR, runDate: string | undefined): Composite {
  const date = runDate ?? ir.term?.end ?? "9999-12-31";
  const clauseVersions = new Map<string, string>();
  if (ir.amendments.length === 0) {
    if (ir.version) for (const c of [...ir.clauses, ...ir.cohorts]) clauseVersions.set(c.id, ir.version);
    return { ir, clauseVersions };
  }
  const all = contractVersions(ir);
  const a = indexOn(all, date);
  const atRun = all[a]!.ir;
  const clauses = clausesInForce(all, a, date, (v) => v.clauses);
  const cohorts = clausesInForce(all, a, date, (v) => v.cohorts);
  for (const c of [...clauses, ...cohorts]) if (c.version !== undefined) clauseVersions.set(c.item.id, c.version);
  const weights = [...atRun.weights];
  for (const { item } of clauses) for (const w of item.weights) if (!weights.includes(w)) weights.push(w);
  return {
    // the aggregates of events of every version: a clause may follow an earlier version than the run's
    ir: { ...atRun, clauses: clauses.map((c) => c.item), cohorts: cohorts.map((c) => c.item), weights, amendments: ir.amendments, eventAggregates: [...new Set(all.flatMap((v) => v.ir.eventAggregates))] },
    clauseVersions,
  };
}
