/**
 * What amendments really do: from the versions of a contract to warnings about amendment
 * items that can never take effect, and about clauses an amendment adds beside a similar one
 * that stays in force (so that both pay).
 *
 * Input: every version of the contract (`amend.ts`). Output: diagnostics (OBC4701, OBC4702).
 * The rule they follow is the engine's (`engine/amendments.ts`): a clause follows the version
 * in force on its own deadline, so a change to a clause that falls due before the amendment
 * takes effect never applies, and neither does a change that a later amendment undoes on the
 * same day.
 */
import type * as A from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import { didYouMean } from "../diagnostics/suggest.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import type { ClauseItem, Version } from "./amend.ts";

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, "");

/**
 * Whether a new clause's name is close to an existing one: a near spelling, or one name
 * holding the other ("Midyear attendance" beside "Midyear").
 */
export function namesClose(added: string, kept: string): boolean {
  if (didYouMean(added, [kept]) !== undefined) return true;
  const a = squash(added);
  const k = squash(kept);
  return Math.min(a.length, k.length) >= 4 && (a.includes(k) || k.includes(a));
}

export function checkAmendmentEffects(all: Version[], diagnostics: Diagnostic[]): void {
  for (let k = 1; k < all.length; k++) {
    const prev = all[k - 1]!;
    const cur = all[k]!;
    const am = cur.amendment!;
    const E = am.effective.value;
    const version = am.version.value;
    // an amendment outside the term is an error already (OBC4017): nothing of it takes effect
    const term = prev.contract.items.find((i): i is A.TermDecl => i.$type === "TermDecl");
    if (term && (E < term.start.value || E > term.end.value)) continue;
    const never = (span: A.Span, name: string, why: string, label: string) =>
      diagnostics.push(diag("OBC4701", { version, name: `"${name}"`, why }, { span, label }));
    const byName = (v: Version, name: string) => [...v.identity.keys()].find((c) => c.name.value === name);
    const dueBefore = (c: ClauseItem | undefined) => c?.due !== undefined && c.due.value < E;
    const fallsDue = (c: ClauseItem) => `it falls due on ${c.due!.value}, before the amendment takes effect on ${E}, and a payment follows the version in force on its deadline`;

    for (const item of am.items) {
      switch (item.$type) {
        case "PaymentClause":
        case "CohortClause":
          if (dueBefore(item)) never(item.due!.span, item.name.value, fallsDue(item), "due before the amendment takes effect");
          break;
        case "ReplaceItem": {
          const old = byName(prev, item.name.value);
          if (old && dueBefore(old)) never(item.name.span, old.name.value, fallsDue(old), "due before the amendment takes effect");
          for (const r of item.items) {
            if ((r.$type === "PaymentClause" || r.$type === "CohortClause") && dueBefore(r)) {
              never(r.due!.span, r.name.value, fallsDue(r), "due before the amendment takes effect");
            }
          }
          break;
        }
        case "RemoveItem":
        case "RenameItem": {
          const name = item.$type === "RemoveItem" ? (item.what === "clause" ? item.name?.value : undefined) : item.from.value;
          const old = name === undefined ? undefined : byName(prev, name);
          if (old && dueBefore(old)) never(item.span, old.name.value, fallsDue(old), "due before the amendment takes effect");
          break;
        }
      }
    }

    // a later amendment on the same day that changes the clause again: this version never applies
    const next = all[k + 1];
    if (next && next.effective === E) {
      for (const c of cur.identity.keys()) {
        if (prev.identity.has(c) || next.identity.has(c)) continue;
        const at = am.items.some((i) => i === c) ? c.name.span : am.version.span;
        never(at, c.name.value, `amendment ${next.version} changes it again on the same day`, "changed again the same day");
      }
    }

    // clauses this amendment adds beside a similar one that stays in force
    const before = new Set(prev.identity.values());
    const kept = [...cur.identity].filter(([, id]) => before.has(id));
    for (const [c, id] of cur.identity) {
      if (before.has(id) || !am.items.some((i) => i === c || (i.$type === "ReplaceItem" && i.items.includes(c)))) continue;
      // a replacement's new clauses stand in the place of the replaced one, which does not stay
      const near = kept.find(([o]) => namesClose(c.name.value, o.name.value));
      if (!near) continue;
      diagnostics.push(diag("OBC4702", { version, added: `"${c.name.value}"`, kept: `"${near[0].name.value}"` }, { span: c.name.span, label: "a new clause" }, {
        related: [{ span: near[0].name.span, label: "still in force" }],
        helpParams: { kept: `"${near[0].name.value}"` },
      }));
    }
  }
}
