/**
 * Amendments: from a contract and its `amendment` blocks to each version of the contract.
 *
 * Input: the contract AST. Output: the base contract, then for each amendment, in the order
 * they are written, the whole contract as amended, each one built on the one before; and the
 * problems an amendment's own changes have (a clause to remove that is not there, a new name
 * already taken). The checker checks each version as a whole contract; the engine computes
 * each clause under the version in force on the clause's own date (`engine/amendments.ts`).
 *
 * An amendment's items apply in the order they are written:
 * - `remove "X"` (or `remove cap per student`, `remove floor`, `remove escalation "X"`,
 *   `remove track "X"`, `remove weight on "A", "B"`) takes the item out;
 * - `replace "X" with { … }` puts the clauses inside in the place of clause X;
 * - `rename "X" to "Y"` gives clause X a new name; the weights, caps and clause references of
 *   the contract follow it;
 * - any other item replaces the item of the same identity (`itemKey`), or is added.
 *
 * Each payment and cohort clause has an identity that outlives its versions: its name when it
 * first appears, kept through a rename and through an item that replaces it by name, so that
 * the engine can tell which version of "the same clause" is in force on a date.
 */
import type * as A from "../ast.ts";
import { clauseId } from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { Diagnostic } from "../diagnostics/types.ts";

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
    case "WeightDecl": return weightKey(item.clauses);
    case "RoutinesDecl": return "routines";
    case "GovernanceDecl": return "governance";
    case "TrackDecl": return `track:${item.name.value}`;
    default: return undefined;
  }
}

const weightKey = (clauses: A.StringLit[]) => `weight:${clauses.map((c) => c.value).join(",")}`;

/** The key of the item a `remove` names (`itemKey` of that item). */
export function removeKey(r: A.RemoveItem): string {
  switch (r.what) {
    case "clause": return `clause:${r.name?.value ?? ""}`;
    case "cap": return `cap:${r.scope ?? "student"}:${r.scope === "clause" ? r.name?.value ?? "" : ""}`;
    case "floor": return "floor";
    case "escalation": return `escalation:${r.name?.value ?? ""}`;
    case "track": return `track:${r.name?.value ?? ""}`;
    case "weight": return weightKey(r.clauses ?? []);
  }
}

/** What a `remove` names, in words: `the clause "Dosage"`, `the cap per student`. */
export function removeWords(r: A.RemoveItem): string {
  switch (r.what) {
    case "clause": return `the clause "${r.name?.value ?? ""}"`;
    case "cap": return r.scope === "clause" ? `the cap on "${r.name?.value ?? ""}"` : `the cap per ${r.scope ?? "student"}`;
    case "floor": return "the floor";
    case "escalation": return `the escalation "${r.name?.value ?? ""}"`;
    case "track": return `the tracked metric "${r.name?.value ?? ""}"`;
    case "weight": return `the weight on ${(r.clauses ?? []).map((c) => `"${c.value}"`).join(", ")}`;
  }
}

export type ClauseItem = A.PaymentClause | A.CohortClause;
const isClause = (i: A.Item): i is ClauseItem => i.$type === "PaymentClause" || i.$type === "CohortClause";

/** One version of the contract: the base, or the contract as amended by one more amendment. */
export interface Version {
  version?: string;
  effective?: string;
  /** the whole contract of this version, without amendment blocks */
  contract: A.Contract;
  /** the amendment that made this version (none for the base) */
  amendment?: A.AmendmentDecl;
  /** each payment and cohort clause of this version → its identity across versions */
  identity: Map<ClauseItem, string>;
}

/** The base contract without its amendment blocks. */
export function baseContract(c: A.Contract): A.Contract {
  return { ...c, items: c.items.filter((i) => i.$type !== "AmendmentDecl") };
}

/**
 * Every version of the contract: the base, then each amendment applied in turn (cumulative).
 * Problems of the amendments' changes are added to `diagnostics`.
 */
export function versions(c: A.Contract, diagnostics: Diagnostic[] = []): Version[] {
  const base = baseContract(c);
  const identity = new Map<ClauseItem, string>();
  for (const i of base.items) if (isClause(i)) identity.set(i, i.name.value);
  const out: Version[] = [{ version: c.version?.value, contract: base, identity }];
  const used = new Set(identity.values());
  for (const am of c.items.filter((i): i is A.AmendmentDecl => i.$type === "AmendmentDecl")) {
    out.push(applyAmendment(out[out.length - 1]!, am, used, diagnostics));
  }
  return out;
}

/** The version `prev` with one amendment applied. `used`: every identity given so far (new ones are added). */
export function applyAmendment(prev: Version, am: A.AmendmentDecl, used: Set<string>, diagnostics: Diagnostic[]): Version {
  let items = [...prev.contract.items];
  const identity = new Map(prev.identity);
  const version = am.version.value;
  const fresh = (name: string) => {
    let id = name;
    for (let n = 2; used.has(id); n++) id = `${name}#${n}`;
    used.add(id);
    return id;
  };
  const clauseNamed = (name: A.StringLit, verb: string): number => {
    const k = items.findIndex((i) => isClause(i) && i.name.value === name.value);
    if (k < 0) unknown(name, `${verb} the clause "${name.value}"`, clauseNames());
    return k;
  };
  const clauseNames = () => items.filter(isClause).map((i) => i.name.value);
  const unknown = (at: { span: A.Span }, what: string, candidates: string[]) => {
    const s = didYouMean(what.replace(/^.*"(.*)"$/, "$1"), candidates);
    diagnostics.push(diag("OBC2701", { version, what }, { span: at.span, label: "not in force before this amendment" }, {
      ...(s ? { helpParams: { suggestion: `"${s}"` } } : {}),
    }));
  };
  /** puts `item` in the place of the item of its key, or adds it; a clause keeps the identity of the one it replaces */
  const put = (item: A.Item) => {
    const key = itemKey(item);
    const k = key === undefined ? -1 : items.findIndex((i) => itemKey(i) === key);
    if (k >= 0) {
      const old = items[k]!;
      if (isClause(item)) identity.set(item, isClause(old) ? identity.get(old)! : fresh(item.name.value));
      items[k] = item;
    } else {
      if (isClause(item)) identity.set(item, fresh(item.name.value));
      items.push(item);
    }
  };
  for (const change of am.items) {
    switch (change.$type) {
      case "AmendmentDecl":
        break;
      case "RemoveItem": {
        const key = removeKey(change);
        const k = items.findIndex((i) => itemKey(i) === key);
        if (k < 0) {
          const near = items.map(itemKey).filter((x): x is string => x !== undefined && x.split(":")[0] === key.split(":")[0]);
          unknown(change.name ?? change, `removes ${removeWords(change)}`, change.what === "clause" ? clauseNames() : near);
          break;
        }
        items.splice(k, 1);
        break;
      }
      case "ReplaceItem": {
        const k = clauseNamed(change.name, "replaces");
        if (k < 0) break;
        const old = items[k] as ClauseItem;
        const replacements: A.Item[] = [];
        for (const item of change.items) {
          if (!isClause(item)) {
            diagnostics.push(diag("OBC2703", { name: `"${change.name.value}"` }, { span: item.span, label: "not a payment or cohort clause" }));
            continue;
          }
          identity.set(item, item.name.value === old.name.value ? identity.get(old)! : fresh(item.name.value));
          replacements.push(item);
        }
        items.splice(k, 1, ...replacements);
        break;
      }
      case "RenameItem": {
        const k = clauseNamed(change.from, "renames");
        if (k < 0) break;
        const taken = items.find((i, j) => j !== k && isClause(i) && clauseId(i.name.value) === clauseId(change.to.value));
        if (taken && isClause(taken)) {
          diagnostics.push(diag("OBC2702", { version, from: `"${change.from.value}"`, to: `"${change.to.value}"` }, { span: change.to.span, label: "already the name of a clause" }, {
            related: [{ span: taken.name.span, label: "the clause with this name" }],
          }));
          break;
        }
        const old = items[k] as ClauseItem;
        const renamed = { ...old, name: { ...old.name, value: change.to.value } } as ClauseItem;
        identity.set(renamed, identity.get(old)!);
        items[k] = renamed;
        items = items.map((i) => (i === renamed ? i : (renameRefs(i, change.from.value, change.to.value) as A.Item)));
        break;
      }
      default:
        put(change);
    }
  }
  // identities of the clauses of this version only
  const own = new Map<ClauseItem, string>();
  for (const i of items) if (isClause(i)) own.set(i, identity.get(i)!);
  return { version, effective: am.effective.value, contract: { ...prev.contract, version: am.version, items }, amendment: am, identity: own };
}

/**
 * `node` with every reference to the clause `from` (a clause reference in an expression, a
 * weight's or a cap's clause) naming `to` instead; unchanged parts are shared.
 */
export function renameRefs(node: unknown, from: string, to: string): unknown {
  if (Array.isArray(node)) {
    let changed = false;
    const out = node.map((x) => {
      const y = renameRefs(x, from, to);
      if (y !== x) changed = true;
      return y;
    });
    return changed ? out : node;
  }
  if (!node || typeof node !== "object") return node;
  const n = node as Record<string, unknown>;
  if (n["$type"] === "ClauseRef" && n["name"] === from) return { ...n, name: to };
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(n)) {
    if (k === "span") continue;
    let y: unknown;
    // a weight's clauses and a cap's clause are quoted names of clauses
    if ((n["$type"] === "WeightDecl" && k === "clauses") || (n["$type"] === "CapDecl" && k === "clause")) {
      y = Array.isArray(v)
        ? v.map((c: A.StringLit) => (c.value === from ? { ...c, value: to } : c))
        : v && (v as A.StringLit).value === from ? { ...(v as A.StringLit), value: to } : v;
      if (Array.isArray(v) && (y as unknown[]).every((c, i) => c === v[i])) y = v;
    } else y = renameRefs(v, from, to);
    if (y !== v) (out ??= { ...n })[k] = y;
  }
  return out ?? node;
}
