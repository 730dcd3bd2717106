/**
 * Amendments: from a contract and its `amendment` blocks to the contract in force on a date.
 *
 * Input: the contract AST. Output: for each amendment, in the order they take effect, the
 * whole contract as amended (items of the amendment replace the base items they name;
 * new items are added). The checker checks each amended contract; the engine computes each
 * clause under the version in force on the clause's own date.
 */
import type * as A from "../ast.ts";

/** The identity of an item that an amendment can replace; undefined for items that are only added. */
export function itemKey(item: A.Item): string | undefined {
  switch (item.$type) {
    case "PaymentClause":
    case "CohortClause":
      return `clause:${item.name.value}`;
    case "CapDecl":
      return `cap:${item.scope}:${item.clause?.value ?? ""}`;
    case "FloorDecl": return "floor";
    case "FundingDecl": return "funding";
    case "TermDecl": return "term";
    case "SettlementDecl": return "settlement";
    case "RoundingDecl": return "rounding";
    case "CurrencyDecl": return "currency";
    case "PartiesDecl": return "parties";
    case "MetricDecl": return `metric:${item.name.name}`;
    case "PopulationDecl": return `population:${item.which}`;
    case "EscalationDecl": return `escalation:${item.name.value}`;
    case "WeightDecl": return `weight:${item.clauses.map((c) => c.value).join(",")}`;
    case "RoutinesDecl": return "routines";
    case "GovernanceDecl": return "governance";
    case "TrackDecl": return `track:${item.name.value}`;
    default: return undefined;
  }
}

/** The base contract with one amendment applied (amendment blocks themselves removed). */
export function applyAmendment(base: A.Contract, am: A.AmendmentDecl): A.Contract {
  const replacing = new Map<string, A.Item>();
  const added: A.Item[] = [];
  for (const item of am.items) {
    const k = itemKey(item);
    if (k) replacing.set(k, item);
    else added.push(item);
  }
  const used = new Set<string>();
  const items: A.Item[] = [];
  for (const item of base.items) {
    if (item.$type === "AmendmentDecl") continue;
    const k = itemKey(item);
    if (k && replacing.has(k)) {
      items.push(replacing.get(k)!);
      used.add(k);
    } else items.push(item);
  }
  for (const [k, item] of replacing) if (!used.has(k)) items.push(item);
  items.push(...added);
  return { ...base, version: am.version, items };
}

/** The base contract without its amendment blocks. */
export function baseContract(c: A.Contract): A.Contract {
  return { ...c, items: c.items.filter((i) => i.$type !== "AmendmentDecl") };
}

/** Every version of the contract: the base, then each amendment applied in turn (cumulative). */
export function versions(c: A.Contract): { version?: string; effective?: string; contract: A.Contract; amendment?: A.AmendmentDecl }[] {
  const out: { version?: string; effective?: string; contract: A.Contract; amendment?: A.AmendmentDecl }[] = [
    { version: c.version?.value, contract: baseContract(c) },
  ];
  for (const am of c.items.filter((i): i is A.AmendmentDecl => i.$type === "AmendmentDecl")) {
    const prev = out[out.length - 1]!.contract;
    out.push({ version: am.version.value, effective: am.effective.value, contract: applyAmendment(prev, am), amendment: am });
  }
  return out;
}
