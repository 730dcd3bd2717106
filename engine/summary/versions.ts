/**
 * The versions in force over a contract's life, for documents that must show the figures of
 * each: from a contract with amendments to the periods between their effective dates, each
 * with the contract a run dated in that period computes.
 *
 * Built on `engine/amendments.ts` (`compositeIR`), the engine's own rule for which version a
 * payment follows: each payment or cohort clause follows the version in force on its own deadline,
 * everything else the version in force on the run's date. So the terms in force in a period
 * may mix versions (a payment due after a later amendment follows it), and the period says so.
 * Nothing here assumes what an amendment may change. Browser-safe.
 */
import type { ContractIR } from "../../language/check/ir.ts";
import { compositeIR, irInForce } from "../amendments.ts";
import { addDays, formatDate, quote } from "./format.ts";

export interface VersionInForce {
  /** the version of the contract-level terms in this period (the base's, or the amendment's) */
  version?: string;
  /** the amendment that starts this period (none for the base period) */
  amendment?: string;
  /** the first day of the period: the start of the term, or the amendment's effective date */
  from?: string;
  /** the last day: the day before the next amendment takes effect, or the end of the term */
  to?: string;
  /** the contract a run dated in this period computes (without amendments of its own) */
  ir: ContractIR;
  /** clause id → the version it follows, for each clause that follows another version than `version` */
  otherVersions: Map<string, string>;
}

/**
 * The periods in force, in date order: one for a contract without amendments. A period an
 * amendment leaves empty (two amendments effective on the same day, an amendment effective
 * on the first day of the term) is left out.
 */
export function versionsInForce(ir: ContractIR): VersionInForce[] {
  if (ir.amendments.length === 0) return [{ version: ir.version, ir, otherVersions: new Map(), ...(ir.term ? { from: ir.term.start, to: ir.term.end } : {}) }];
  const starts: { from?: string; version?: string; amendment?: string }[] = [{ from: ir.term?.start, version: ir.version }];
  for (const a of ir.amendments) starts.push({ from: a.effective, version: a.version, amendment: a.version });
  const out: VersionInForce[] = [];
  starts.forEach((s, i) => {
    const next = starts[i + 1]?.from;
    const to = next ? addDays(next, -1) : ir.term?.end;
    if (s.from && to && to < s.from) return;
    // any date of the period gives the same composite: its last day (or the engine's default after the term)
    const c = compositeIR(ir, to);
    // a clause that follows another version matters only where that version changed it
    const own = irInForce(ir, to ?? "9999-12-31").ir;
    const changed = (id: string) => {
      const x = [...c.ir.clauses, ...c.ir.cohorts].find((k) => k.id === id);
      return !x || [...own.clauses, ...own.cohorts].find((k) => k.key === x.key)?.decl !== x.decl;
    };
    const otherVersions = new Map([...c.clauseVersions].filter(([id, v]) => v !== s.version && changed(id)));
    out.push({
      ...(s.version !== undefined ? { version: s.version } : {}),
      ...(s.amendment !== undefined ? { amendment: s.amendment } : {}),
      ...(s.from ? { from: s.from } : {}),
      ...(to ? { to } : {}),
      ir: { ...c.ir, amendments: [] },
      otherVersions,
    });
  });
  return out;
}

/** The version in force on `date` (the last one when no date is given). */
export function versionOn(all: VersionInForce[], date: string | undefined): VersionInForce {
  if (!date) return all[all.length - 1]!;
  return all.find((v) => (!v.from || v.from <= date) && (!v.to || date <= v.to)) ?? (all[0]!.from && date < all[0]!.from ? all[0]! : all[all.length - 1]!);
}

/** "version 1.1 (amendment “1.1”), in force from 1 January 2027 to 30 June 2027" */
export function versionLabel(v: VersionInForce): string {
  const name = v.version !== undefined ? `version ${v.version}` : "the contract as first written";
  const amended = v.amendment !== undefined ? ` (as amended by amendment ${quote(v.amendment)})` : "";
  const when = v.from && v.to ? `, in force from ${formatDate(v.from)} to ${formatDate(v.to)}` : v.from ? `, in force from ${formatDate(v.from)}` : v.to ? `, in force until ${formatDate(v.to)}` : "";
  return `${name}${amended}${when}`;
}
