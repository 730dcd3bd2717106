/**
 * Versions in force: from a contract with amendments to the contract a run computes.
 *
 * Input: the checked contract (its `amendments`, each a whole checked version) and the
 * run's date. Output: one ContractIR in which each payment clause is the version in force
 * on the clause's own date (its deadline, else the run's date), and every contract-level
 * term (caps, funding, escalation, cohorts) is the version in force on the run's date;
 * plus, per clause, the version used, so every payment line says which version it follows.
 */
import type { ContractIR } from "../language/check/ir.ts";

export function irInForce(ir: ContractIR, date: string): { ir: ContractIR; version?: string } {
  let current: { ir: ContractIR; version?: string } = { ir, version: ir.version };
  for (const a of ir.amendments) if (a.effective <= date) current = { ir: a.ir, version: a.version };
  return current;
}

export interface Composite {
  ir: ContractIR;
  /** clause id → the version of the contract the clause was computed under */
  clauseVersions: Map<string, string>;
}

export function compositeIR(ir: ContractIR, runDate: string | undefined): Composite {
  const date = runDate ?? ir.term?.end ?? "9999-12-31";
  const atRun = irInForce(ir, date);
  const clauseVersions = new Map<string, string>();
  if (ir.amendments.length === 0) {
    for (const c of ir.clauses) if (ir.version) clauseVersions.set(c.id, ir.version);
    return { ir, clauseVersions };
  }
  const clauses = atRun.ir.clauses.map((c) => {
    const own = irInForce(ir, c.decl.due?.value ?? date);
    const chosen = own.ir.clauses.find((x) => x.name === c.name) ?? c;
    const version = chosen === c ? atRun.version : own.version;
    if (version) clauseVersions.set(chosen.id, version);
    return chosen;
  });
  const weights = [...atRun.ir.weights];
  for (const c of clauses) for (const w of c.weights) if (!weights.includes(w)) weights.push(w);
  return { ir: { ...atRun.ir, clauses, weights, amendments: ir.amendments }, clauseVersions };
}
