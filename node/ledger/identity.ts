/**
 * A contract's identity in the ledger, and what a later text of the same contract may change.
 *
 * The identity is the `id "…"` written in the contract's header; a contract without one is
 * identified by its title, parties and term (a readable slug of the title and 12 hex digits of
 * the sha256 of the three, e.g. `algebra-readiness-pilot-3f2a9c1e07b4`), recorded when it is
 * first seen. Writing that derived identity as the contract's `id` later keeps its payments
 * together under a new title.
 *
 * The profile is what must stay put from one text to the next: the parties, the term, the
 * clauses of the base text, and its amendments (a later text may add amendments after the
 * earlier ones; everything else changes only through them).
 */
import { createHash } from "node:crypto";
import type { ContractIR } from "../../language/check/ir.ts";

export interface ContractProfile {
  title: string;
  parties: { id: string; role: string; name: string }[];
  term: { start: string; end: string } | null;
  /** ids of the base text's payment and cohort clauses, sorted */
  clauses: string[];
  /** the amendments' versions, in order */
  amendments: string[];
}

export interface ContractIdentity {
  identity: string;
  /** true when written as `id "…"` in the contract */
  explicit: boolean;
  profile: ContractProfile;
}

export function contractProfile(ir: ContractIR): ContractProfile {
  return {
    title: ir.title,
    parties: ir.parties.map((p) => ({ id: p.id, role: p.role, name: p.name })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    term: ir.term ? { start: ir.term.start, end: ir.term.end } : null,
    clauses: [...ir.clauses.map((c) => c.id), ...ir.cohorts.map((c) => c.id)].sort(),
    amendments: ir.amendments.map((a) => a.version),
  };
}

const slug = (title: string) =>
  title
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "") || "contract";

/** The identity of a checked contract: its `id`, else one derived from its title, parties and term. */
export function contractIdentity(ir: ContractIR): ContractIdentity {
  const profile = contractProfile(ir);
  if (ir.id !== undefined) return { identity: ir.id, explicit: true, profile };
  const basis = JSON.stringify([profile.title, profile.parties.map((p) => [p.role, p.id, p.name]), profile.term]);
  return { identity: `${slug(ir.title)}-${createHash("sha256").update(basis, "utf8").digest("hex").slice(0, 12)}`, explicit: false, profile };
}

const partiesText = (p: ContractProfile["parties"]) => JSON.stringify(p);

/**
 * Why a text does not follow from the one settled before under the same identity (undefined
 * when it does): other parties, another term, another set of clauses, or amendments that do
 * not continue the earlier ones.
 */
export function profileChange(before: ContractProfile, now: ContractProfile): string | undefined {
  if (partiesText(before.parties) !== partiesText(now.parties)) return "its parties differ from those settled before";
  if (JSON.stringify(before.term) !== JSON.stringify(now.term)) return "its term differs from the one settled before";
  const gone = before.clauses.filter((c) => !now.clauses.includes(c));
  const added = now.clauses.filter((c) => !before.clauses.includes(c));
  if (gone.length > 0 || added.length > 0) {
    const parts = [gone.length > 0 ? `without ${gone.join(", ")}` : "", added.length > 0 ? `with new ${added.join(", ")}` : ""].filter(Boolean);
    return `its clauses differ from those settled before (${parts.join("; ")}): change clauses through an amendment`;
  }
  if (before.amendments.some((a, i) => now.amendments[i] !== a)) return "it drops or reorders amendments settled before (amendments may only be added after them)";
  return undefined;
}
