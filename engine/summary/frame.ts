/**
 * The lawyer's frame: what every summary opens with, before the clauses.
 *
 * - red flags, in a box: no upper bound on exposure (and why), placeholder party names, a
 *   payment that names nobody to receive it;
 * - who is paid, by whom, when, and how later corrections are settled (true-ups, clawbacks);
 * - who supplies which data, by when, and what happens when it is late or missing;
 * - notice and dispute steps, from the escalation protocol and the governance section.
 *
 * Each sentence carries the source span of what it renders. Browser-safe.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR, DataSetIR } from "../../language/check/ir.ts";
import { payeeOf } from "../../language/check/readings.ts";
import { itemOf, para, ref, S, type Ctx, type SubSection } from "./context.ts";
import { capitalize, formatDate, frequencyWords, humanize, joinList, moneyText, percentText, quote, withUnit } from "./format.ts";
import type { Block, Cell, Sentence } from "./model.ts";
import { partiesTerm, partyLabel, partyTerm } from "./english.ts";
import { defaultPayer, routineParts, terminateText } from "./prose.ts";

// ───────────────────────────── red flags ─────────────────────────────

/** Words that stand in for a name not yet known. */
const PLACEHOLDER = /\b(tbd|tba|tbc|to be (determined|confirmed|named|agreed)|placeholder|lorem|ipsum|insert|xxx+|name of|your)\b|\[[^\]]*\]|<[^>]*>|_{3,}|\?{2,}/i;
/** Names that only say what a party is, not who. */
const GENERIC = new Set([
  "district", "school district", "the district", "provider", "the provider", "vendor", "tutoring vendor", "tutoring provider", "funder",
  "intermediary", "investor", "investors", "payor", "payer", "evaluator", "party", "company", "organization", "organisation", "contractor",
]);

/** Whether a party's name is a placeholder: a stand-in, a generic word, its own role, or a letter or two. */
export function placeholderName(name: string, role: string): boolean {
  const n = name.trim().toLowerCase();
  return PLACEHOLDER.test(name) || GENERIC.has(n) || n === role.toLowerCase() || n.replace(/[^a-z0-9]/g, "").length <= 2;
}

/** Why the exposure has no upper bound, in clauses; undefined when it has one. */
function unboundedWhy(c: Ctx): string[] | undefined {
  const { ir, analysis: a } = c;
  if (a.cohort.largestTotal !== null) return undefined;
  const why: string[] = [];
  const unbounded = a.perStudent.clauses.filter((x) => x.max === null).map((x) => quote(x.name));
  if (unbounded.length && !ir.studentCap) why.push(`${joinList(unbounded)} ${unbounded.length > 1 ? "have" : "has"} no upper bound in the contract's terms and there is no cap per ${c.noun}`);
  for (const co of a.cohort.cohortClauses) {
    if (co.perPeriod) why.push(`${quote(co.name)} is paid for each ${humanize(ir.cohorts.find((x) => x.id === co.clause)?.over?.period ?? "period")} of its data, with no limit on their number`);
    else if (co.max === null) why.push(`${quote(co.name)} has no upper bound in the contract's terms`);
  }
  if (!ir.contractCap) why.push("there is no cap per contract");
  return why;
}

function redFlags(c: Ctx): Sentence[] {
  const { ir } = c;
  const flags: Sentence[] = [];
  const why = unboundedWhy(c);
  if (why) flags.push(S(`No upper bound on exposure: there is no limit to what this contract can pay, because ${why.length > 1 ? `${why.slice(0, -1).join("; ")}; and ${why[why.length - 1]}` : why[0]}.`, ir.contractCap?.span ?? c.titleSpan));
  else if (!ir.contractCap && (ir.clauses.length || ir.cohorts.length)) {
    const each = c.analysis.perStudent.max !== null ? `, up to ${moneyText(c.analysis.perStudent.max, ir.currency)} for each` : "";
    flags.push(S(`No cap per contract: the total grows with the number of ${c.nouns} paid${each}, and the contract does not limit their number.`, c.titleSpan));
  }
  for (const p of ir.parties) {
    if (placeholderName(p.name, p.role)) flags.push(S(`Placeholder party name: the ${partyLabel(p.id, ir)} is named ${quote(p.name)}, which does not identify a legal person.`, p.decl.span));
  }
  if (c.warnings) {
    flags.push(S(`${c.warnings === 1 ? "A point" : `${c.warnings} points`} to check: the checker found ${c.warnings === 1 ? "a term" : "terms"} that a reader may take otherwise than the engine computes, or that may not be intended${ref(c, "checks")}.`, c.titleSpan));
  }
  if (ir.parties.length) {
    const unpaid = [...ir.clauses.map((x) => ({ name: x.name, decl: x.decl })), ...ir.cohorts.map((x) => ({ name: x.name, decl: x.decl }))].filter((x) => !payeeOf(x.decl, ir));
    if (unpaid.length) {
      flags.push(S(`A payment with no payee: ${joinList(unpaid.map((x) => quote(x.name)))} ${unpaid.length > 1 ? "name" : "names"} nobody to receive ${unpaid.length > 1 ? "them" : "it"}, and the contract has no single provider to receive ${unpaid.length > 1 ? "them" : "it"} by default.`, unpaid[0]!.decl.span));
    }
  }
  return flags;
}

// ───────────────────────────── who is paid, and when ─────────────────────────────

function whoIsPaid(c: Ctx): Block[] {
  const { ir } = c;
  const sentences: Sentence[] = [];
  const payments = [...ir.clauses.map((x) => ({ name: x.name, decl: x.decl })), ...ir.cohorts.map((x) => ({ name: x.name, decl: x.decl }))];
  const byPayee = new Map<string, typeof payments>();
  for (const p of payments) {
    const to = payeeOf(p.decl, ir) ?? "";
    byPayee.set(to, [...(byPayee.get(to) ?? []), p]);
  }
  const who = (id: string) => {
    const party = ir.parties.find((p) => p.id === id);
    return party ? `${partyTerm(id, ir)}, ${party.name}` : partyTerm(id, ir);
  };
  if (byPayee.size === 1 && !byPayee.has("")) {
    const [id, list] = [...byPayee][0]!;
    sentences.push(S(`Every payment under this contract is made to ${who(id)}.`, list.find((x) => x.decl.payee)?.decl.span ?? itemOf(ir, "PartiesDecl")?.span ?? c.titleSpan));
  } else {
    for (const [id, list] of byPayee) {
      const names = joinList(list.map((x) => quote(x.name)));
      const span = list[0]!.decl.span;
      sentences.push(S(id ? `${capitalize(names)} ${list.length > 1 ? "are" : "is"} paid to ${who(id)}.` : `${capitalize(names)} ${list.length > 1 ? "name" : "names"} nobody to be paid.`, span));
    }
  }
  if (ir.funding) {
    const shares = ir.funding.shares.map((s) => `${partyTerm(s.party, ir)} (${s.percent ? `${percentText(s.percent.value)} of each payment` : "the rest"})`);
    const where = ref(c, "funding").replace(/^ \((.*)\)$/, ", as $1 sets out");
    sentences.push(S(`The payments are funded by ${joinList(shares)}${where}.`, ir.funding.decl.span));
  } else if (payments.length) {
    sentences.push(S(`${capitalize(partyTerm(defaultPayer(ir), ir))} funds every payment${ref(c, "funding")}.`, c.titleSpan));
  }
  const settlement = itemOf(ir, "SettlementDecl");
  if (ir.settlement.length) {
    sentences.push(S(`Payments are settled on ${joinList(ir.settlement.map((d) => formatDate(d)))}: each settlement pays what is owed under the contract as of its date.`, settlement?.span ?? c.titleSpan));
  } else {
    sentences.push(S("The contract states no settlement dates: what is owed is computed as of the date of each run, and the contract does not say when it is paid.", c.titleSpan));
  }
  if (ir.clauses.some((x) => x.decl.due)) sentences.push(S(`A payment with a deadline is payable only from that date; the deadline is not a date by which the ${c.noun} must meet the condition unless the condition says so${ref(c, "payments")}.`, ir.clauses.find((x) => x.decl.due)!.decl.span));
  const trueUp = [
    S("At each settlement every payment is computed again on all the data supplied so far, and only the difference from what has already been paid is paid: a payment that data arriving later now make owed is paid then (a true-up).", settlement?.span ?? c.titleSpan),
    S("If a computation gives less than was already paid (a corrected score, a withholding in force), the difference is deducted at the next settlement (a clawback): the payee owes it back.", settlement?.span ?? c.titleSpan),
  ];
  return [para(...sentences), para(...trueUp)];
}

// ───────────────────────────── who supplies the data ─────────────────────────────

/** The first six letters of each word of four letters or more: "session attendance" ~ "sessions attended". */
function stems(text: string): Set<string> {
  return new Set(text.toLowerCase().split(/[^a-z]+/).filter((w) => w.length >= 4).map((w) => w.slice(0, 6)));
}

/**
 * The sharing routines that supply a data set: a routine whose words name the data set, or
 * every word of a field's name (stems of six letters: "session attendance" supplies
 * `sessions_attended`). Routines are free text, so this is a reading, stated as such.
 */
export function suppliers(ir: ContractIR, ds: DataSetIR): A.RoutineDecl[] {
  const names = [humanize(ds.name), ...ds.fields.map((f) => humanize(f.name))].map(stems).filter((x) => x.size > 0);
  return ir.routines.filter((r) => {
    if (r.verb !== "shares" && r.verb !== "reports") return false;
    const words = stems(r.what.value);
    return names.some((n) => [...n].every((w) => words.has(w)));
  });
}

function dataSupply(c: Ctx): Block[] {
  const { ir } = c;
  const rows: Cell[][] = ir.dataSets.map((ds) => {
    const rs = suppliers(ir, ds);
    const by = rs.length ? joinList([...new Set(rs.map((r) => routineParts(r, ir).who))]) : "not stated";
    const when = rs.length ? joinList(rs.map((r) => routineParts(r, ir).timing || "no time stated")) : "not stated";
    return [{ text: ds.name, span: ds.decl.span }, { text: by, ...(rs[0] ? { span: rs[0].span } : {}) }, { text: when }];
  });
  const blocks: Block[] = [];
  if (rows.length) blocks.push({ type: "table", header: ["Data", "Supplied by", "When"], rows });
  const first = ir.dataSets[0]?.decl.span ?? c.titleSpan;
  const unnamed = ir.dataSets.filter((ds) => !suppliers(ir, ds).length).map((ds) => `the ${ds.name} data`);
  const sentences: Sentence[] = [];
  if (unnamed.length) sentences.push(S(`The contract does not say who supplies ${joinList(unnamed)}, or by when; a routine that shares it would say so${ref(c, "routines")}.`, first));
  sentences.push(S("Data that arrive after a settlement date are used at the next settlement, and the payments they change are trued up then; the contract sets no other consequence for late data.", first));
  sentences.push(S(`A blank value is never read as zero or as no: what a blank means is stated for each field${ref(c, "data")}, and a blank in a required field is a data error reported with its file, row and column.`, first));
  blocks.push(para(...sentences));
  return blocks;
}

// ───────────────────────────── notice and disputes ─────────────────────────────

function noticeAndDisputes(c: Ctx): Block[] {
  const { ir } = c;
  const items: Sentence[][] = [];
  for (const e of ir.escalations) {
    for (const l of e.decl.levels) {
      for (const a of l.actions) {
        if (a.$type === "TerminateAction") items.push([S(`Termination: ${terminateText(a, ir)}, under level ${l.level.value} of the escalation protocol ${quote(e.name)}${ref(c, "escalation")}.`, a.span)]);
        if (a.$type === "DutyAction" && /notice|notif|warn/i.test(a.text.value)) {
          items.push([S(`Notice: ${partiesTerm(a.parties.map((p) => p.name), ir)} ${a.text.value}${a.within ? ` within ${withUnit(a.within.amount.value, a.within.unit)}` : ""}, under level ${l.level.value} of ${quote(e.name)}${ref(c, "escalation")}.`, a.span)]);
        }
      }
    }
  }
  const rule = ir.governance.find((g): g is A.AmendmentRule => g.$type === "AmendmentRule");
  if (rule) items.push([S(`Changes: the contract may be amended only ${rule.form.value}, signed by ${partiesTerm(rule.signers.map((s) => s.name), ir)}.`, rule.span)]);
  const committees = ir.governance.filter((g): g is A.CommitteeDecl => g.$type === "CommitteeDecl");
  const venue = committees.length
    ? ` The ${joinList(committees.map((k) => `${quote(k.name.value)} (${partiesTerm(k.members.map((x) => x.name), ir)}, meeting ${frequencyWords(k.frequency.name)}${k.purpose ? ` to ${k.purpose.value}` : ""})`))} is the only forum it names${ref(c, "governance")}.`
    : "";
  items.push([S(`Disputes: the contract names no procedure for disputing a payment or the data behind it.${venue}`, committees[0]?.span ?? itemOf(ir, "GovernanceDecl")?.span ?? c.titleSpan)]);
  return [{ type: "list", style: "bullets", items }];
}

/** The frame's subsections, in order; the red flags first, as a box. */
export function frameSections(c: Ctx): SubSection[] {
  const flags = redFlags(c);
  const none = S(
    `None found: the exposure has an upper bound, every party is named, every payment names who receives it, and the checker found nothing to check.`,
    c.titleSpan,
  );
  return [
    { title: "Red flags", box: true, blocks: [{ type: "list", style: "bullets", items: (flags.length ? flags : [none]).map((f) => [f]) }], sections: [] },
    { title: "Who is paid, and when", blocks: whoIsPaid(c), sections: [] },
    { title: `Data: who supplies it, and if it is late or missing`, blocks: dataSupply(c), sections: [] },
    { title: "Notice and disputes", blocks: noticeAndDisputes(c), sections: [] },
  ];
}
