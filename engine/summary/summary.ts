/**
 * The plain-language summary: from a checked contract to a `SummaryDoc` for lawyers.
 *
 *   summarize(ir, source, { cohortSize, examples }) → SummaryDoc
 *
 * Input: the ContractIR, its source text (for templates and spans), the cohort size used
 * for the exposure figures (default 100), and optionally worked examples computed by the
 * engine (`buildWorkedExamples`). Output: a format-neutral document: a title block, a
 * key-terms table, then numbered sections — parties and term, definitions, data, the
 * payments for each student (one subsection per clause), cohort payments, weights, caps and
 * floor, rounding and the order of computation, funding, settlement, the escalation protocol
 * (as a table), routines, governance, metrics tracked but not paid, templates, amendments
 * and the worked examples. Every sentence carries the source span of the clause it renders.
 * Render it with `toMarkdown`, `toHtml` or `toDocx`. Browser-safe and deterministic.
 */
import type * as A from "../../language/ast.ts";
import { itemKey, removeKey } from "../../language/check/amend.ts";
import { checkContract } from "../../language/check/index.ts";
import type { ClauseIR, ContractIR, DataSetIR, EscalationIR, FieldInfo } from "../../language/check/ir.ts";
import { parse } from "../../language/syntax/parse.ts";
import { diffContracts } from "../diff/diff.ts";
import type { CohortResult, EscalationResult, PaymentLine } from "../output.ts";
import { Rational } from "../rational.ts";
import { analyzeContract, type ContractAnalysis } from "./analysis.ts";
import {
  cond, condText, conditionText, fieldWords, missingFields, partiesTerm, partyLabel, partyTerm, plural, populationDefinition, populationTerm,
  populationTermPlural, subExpressions, subjectNoun, valueText, type EnglishContext,
} from "./english.ts";
import type { ExampleTable, WorkedExamples } from "./examples.ts";
import {
  capitalize, currencyWords, formatDate, humanize, joinList, money, moneyLit, moneyText, percentText, quote, roundingShort, roundingWords,
} from "./format.ts";
import type { Block, Cell, Section, Sentence, SummaryDoc, TitleRow } from "./model.ts";
import { versionLabel, versionOn, versionsInForce, type VersionInForce } from "./versions.ts";
import { define, itemOf, m, para, ref, S, section, type Ctx } from "./context.ts";
import { frameSections } from "./frame.ts";
import { sha256Hex } from "./sha256.ts";
import {
  actionText, amendmentRuleSentence, article, capSentences, clauseSentence, cohortCtx, committeeSentence, defaultPayer, dueSentence,
  dutyText, escalationCtx, fieldMeaning, floorSentences, fundingShareSentence, humanTerm, kindWords, metricDefinition, missingSentence,
  routineSentence, studentCtx, terminateText, tierText, trackSentence, triggerText, weightSentence, withholdText,
} from "./prose.ts";

export interface SummaryOptions {
  /** the cohort size for the exposure figures (default 100) */
  cohortSize?: number;
  /** worked examples computed by the engine (see `buildWorkedExamples`) for the version the body shows */
  examples?: WorkedExamples;
  /**
   * worked examples for each version in force, in the order of `versionsInForce(ir)`: for a
   * contract with amendments, each version gets its own schedule (`summarizeContract` fills it)
   */
  versionExamples?: (WorkedExamples | undefined)[];
  /** the file the contract came from, named in the subtitle */
  sourceName?: string;
  /** the date of the figures: the body shows the version in force on it (default: the end of the term) */
  asOf?: string;
  /** a draft (the default: every page says so) or the text for signature */
  status?: "draft" | "for-signature";
  /** the label of the exhibit this summary is, on every page (default "Exhibit A") */
  exhibit?: string;
  /** the document that prevails where it and this summary differ (default: the contract's source text) */
  prevails?: string;
  /** the version of OBC that wrote the summary */
  obcVersion?: string;
  /** the date the summary is generated (YYYY-MM-DD); the clock is an input, so it is given */
  generated?: string;
  /** the paper size of the Word document (default US Letter; A4 for contracts in GBP or EUR) */
  paper?: "letter" | "a4";
}


/** Builds the summary document of a contract (see the file comment). */
export function summarize(original: ContractIR, source: string, opts: SummaryOptions = {}): SummaryDoc {
  const versions = versionsInForce(original);
  const body = versionOn(versions, opts.asOf ?? original.term?.end);
  const ir = body.ir;
  const analysis = analyzeContract(ir, { cohortSize: opts.cohortSize ?? 100 });
  const titleSpan = ir.ast.title.span;
  const written = parse(source).value.contract;
  const imports = collect(written?.items ?? [], "ImportDecl");
  const uses = collect(written?.items ?? [], "UseDecl");
  // the analysis warnings (tiers, clauses that never pay, caps below a clause, …), listed for the reader
  const warnings = checkContract(original.ast).diagnostics.filter((d) => d.severity === "warning");
  const schedules = scheduleExamples(versions, body, opts);
  const plan: [string, string, boolean][] = [
    ["glance", "At a glance", true],
    ["key", "Key terms", true],
    ["parties", "Parties, term and currency", true],
    ["definitions", "Definitions", Object.keys(ir.populations).length > 0 || ir.metrics.size > 0],
    ["data", "Data the contract reads", ir.dataSets.length > 0],
    ["payments", `Payments for each ${subjectNoun(ir)}`, ir.clauses.length > 0],
    ["cohort", "Cohort payments", ir.cohorts.length > 0],
    ["weights", "Weights", ir.weights.length > 0],
    ["caps", "Caps and floor", !!(ir.studentCap || ir.contractCap || ir.floor || ir.clauses.some((c) => c.caps.length))],
    ["rounding", "Rounding and order of computation", true],
    ["funding", "Funding", true],
    ["settlement", "Settlement", ir.settlement.length > 0],
    ["escalation", "Escalation protocol", ir.escalations.length > 0],
    ["routines", "Data sharing and check-ins", ir.routines.length > 0],
    ["governance", "Governance", ir.governance.length > 0],
    ["tracked", "Metrics tracked but not paid", ir.tracked.length > 0],
    ["templates", "Templates", imports.length > 0 || uses.length > 0],
    ["amendments", "Amendments", original.amendments.length > 0],
    ["checks", "Points to check", warnings.length > 0],
  ];
  const num = new Map<string, string>();
  plan.filter(([, , on]) => on).forEach(([k], i) => num.set(k, String(i + 1)));
  const noun = subjectNoun(ir);
  const bodyExamples = schedules.find((x) => x.version === body)?.examples;
  schedules.forEach((_, i) => num.set(i === 0 ? "examples" : `examples-${i}`, String.fromCharCode(65 + i)));
  const c: Ctx = { ir, original, versions, body, source, analysis, titleSpan, noun, nouns: plural(noun), num, terms: [], warnings: warnings.length, ...(bodyExamples ? { examples: bodyExamples } : {}) };

  const builders: Record<string, () => Section> = {
    glance: () => section(c, "glance", "At a glance", [], frameSections(c)),
    key: () => keyTerms(c),
    parties: () => partiesSection(c),
    definitions: () => definitions(c),
    data: () => dataSection(c),
    payments: () => payments(c),
    cohort: () => cohortSection(c),
    weights: () => weights(c),
    caps: () => caps(c),
    rounding: () => rounding(c),
    funding: () => funding(c),
    settlement: () => settlement(c),
    escalation: () => escalation(c),
    routines: () => routines(c),
    governance: () => governance(c),
    tracked: () => tracked(c),
    templates: () => templates(c, imports, uses),
    amendments: () => amendments(c),
    checks: () =>
      section(c, "checks", "Points to check", [
        {
          type: "paragraph",
          sentences: [{ text: "The checker found the following points in the contract's terms; each may be intended, but deserves a second look before signing.", span: titleSpan }],
        },
        // the contract's own words, written `so` for the editor, are quoted for the reader
        { type: "list", style: "bullets", items: warnings.map((d) => [{ text: `${d.message}${d.help ? ` ${d.help}` : ""} (${d.code})`.replace(/`([^`]+)`/g, "\u201c$1\u201d"), span: d.primary.span }]) },
      ]),
  };
  const sections = plan.filter(([, , on]) => on).map(([k]) => builders[k]!());
  schedules.forEach((x, i) => sections.push(examplesSection(c, x.version, x.examples, String.fromCharCode(65 + i), schedules.length > 1)));
  const sha256 = sha256Hex(source);
  const status = opts.status ?? "draft";
  const exhibit = opts.exhibit ?? "Exhibit A";
  const shows = versionShown(c);
  return {
    schema: "obc.summary/1",
    kind: "summary",
    title: ir.title,
    subtitle: `Plain-language summary${opts.sourceName ? ` of ${opts.sourceName}` : ""}, ${shows}, generated from the contract's source text. Each sentence renders a clause of the contract.`,
    titleBlock: titleBlock(c, { ...opts, status, exhibit, sha256 }),
    sections,
    terms: c.terms,
    meta: {
      status,
      exhibit,
      header: `${exhibit}: plain-language summary of ${quote(ir.title)}, ${shows}`,
      version: shows,
      sources: [{ name: opts.sourceName ?? "the contract's source text", sha256 }],
      ...(opts.obcVersion ? { obcVersion: opts.obcVersion } : {}),
      ...(opts.generated ? { generated: opts.generated } : {}),
      paper: opts.paper ?? (["GBP", "EUR"].includes(ir.currency) ? "a4" : "letter"),
    },
  };
}

/** The version the body shows, in words: "version 1.0", "version 1.1 as amended (consolidated)". */
function versionShown(c: Ctx): string {
  const v = c.body;
  if (v.amendment !== undefined) return `version ${v.version} as amended (consolidated text)`;
  return v.version !== undefined ? `version ${v.version}` : "version not stated";
}

function collect<K extends "ImportDecl" | "UseDecl">(items: A.Item[], type: K): Extract<A.Item, { $type: K }>[] {
  const out: Extract<A.Item, { $type: K }>[] = [];
  for (const i of items) {
    if (i.$type === type) out.push(i as Extract<A.Item, { $type: K }>);
    if (i.$type === "AmendmentDecl") out.push(...collect(i.items, type));
  }
  return out;
}


// ───────────────────────────── title block and key terms ─────────────────────────────

function titleBlock(c: Ctx, o: SummaryOptions & { status: "draft" | "for-signature"; exhibit: string; sha256: string }): TitleRow[] {
  const { ir } = c;
  const rows: TitleRow[] = [
    { label: "Status", value: S(o.status === "draft" ? "Draft: not for signature" : "For signature", c.titleSpan) },
    { label: "Document", value: S(`${o.exhibit}: plain-language summary of the contract`, c.titleSpan) },
    { label: "Contract", value: S(ir.title, c.titleSpan) },
  ];
  if (ir.id !== undefined) rows.push({ label: "Identifier", value: S(ir.id, ir.ast.id?.span ?? c.titleSpan) });
  const versions = c.versions.length > 1
    ? `; versions in force: ${joinList(c.versions.map((v) => `${v.version ?? "as first written"}${v.from ? ` from ${formatDate(v.from)}` : ""}`))}`
    : "";
  rows.push({ label: "Version", value: S(`${capitalize(versionShown(c))}${versions}`, ir.ast.version?.span ?? c.titleSpan) });
  for (const p of ir.parties) rows.push({ label: partyLabel(p.id, ir), value: S(p.name, p.decl.span) });
  const term = itemOf(ir, "TermDecl");
  rows.push({ label: "Term", value: S(ir.term ? `${formatDate(ir.term.start)} to ${formatDate(ir.term.end)}` : "not stated", term?.span ?? c.titleSpan) });
  rows.push({ label: "Currency", value: S(currencyWords(ir.currency), itemOf(ir, "CurrencyDecl")?.span ?? c.titleSpan) });
  rows.push({ label: "Source", value: S(`${o.sourceName ?? "The contract's source text"}, SHA-256 ${o.sha256}`, c.titleSpan) });
  rows.push({ label: "Prevails", value: S(`Where this summary and ${o.prevails ?? "the contract's source text"} differ, ${o.prevails ?? "the source text"} prevails.`, c.titleSpan) });
  const by = o.obcVersion ? `OBC ${o.obcVersion}` : "OBC";
  rows.push({ label: "Generated", value: S(o.generated ? `${formatDate(o.generated)} by ${by}` : `by ${by}`, c.titleSpan) });
  const asOf = o.asOf ?? ir.term?.end;
  rows.push({ label: "Figures as of", value: S(
    asOf
      ? `${formatDate(asOf)}: the worked examples are computed as of this date; the key terms follow from the contract's terms alone`
      : "No date: the contract states no term, so the worked examples are not computed as of a date; the key terms follow from the contract's terms alone",
    c.titleSpan,
  ) });
  return rows;
}


/**
 * The key terms: for a contract without amendments one table; otherwise one table for each
 * version in force, each computed under that version (the body's version is the one the rest
 * of the summary shows).
 */
function keyTerms(c: Ctx): Section {
  if (c.versions.length === 1) return section(c, "key", "Key terms", keyTermsBlocks(c));
  const intro = S(
    `This contract has been amended, so its key terms are given for each version in force; each table is computed under that version's terms. The rest of this summary shows ${versionLabel(c.body)}.`,
    c.titleSpan,
  );
  const subs = c.versions.map((v) => {
    const vc: Ctx = { ...c, ir: v.ir, analysis: analyzeContract(v.ir, { cohortSize: c.analysis.cohortSize }) };
    const mixed = [...v.otherVersions].map(([id, ver]) => `${quote([...v.ir.clauses, ...v.ir.cohorts].find((x) => x.id === id)?.name ?? id)} follows version ${ver}`);
    const note = S(`${capitalize(versionLabel(v))}.${mixed.length ? ` Each payment follows the version in force on its deadline: ${joinList(mixed)}.` : ""}`, v.ir.ast.version?.span ?? c.titleSpan);
    return { title: `Version ${v.version ?? "as first written"}${v.from ? ` (from ${formatDate(v.from)})` : ""}`, version: v.version, blocks: [para(note), ...keyTermsBlocks(vc)], sections: [] };
  });
  return section(c, "key", "Key terms", [para(intro)], subs);
}

/** What makes up the minimum per student: the payments every student gets, less every penalty, and the floor. */
function minimumHow(c: Ctx): string {
  const { ir, analysis: a } = c;
  const figure = (id: string) => a.perStudent.clauses.find((x) => x.clause === id);
  const every = ir.clauses.filter((x) => figure(x.id)?.always && !Rational.parse(figure(x.id)!.always!).isNegative() && !Rational.parse(figure(x.id)!.always!).isZero());
  const penalties = ir.clauses.filter((x) => figure(x.id)?.min && Rational.parse(figure(x.id)!.min!).isNegative());
  const parts: string[] = [];
  parts.push(every.length
    ? `the payments every ${c.noun} gets: ${joinList(every.map((x) => `${quote(x.name)} (${m(c, figure(x.id)!.always)})`))}`
    : `no payment is made to every ${c.noun} whatever the data, so a ${c.noun} who meets no condition gets nothing`);
  if (penalties.length) parts.push(`less every penalty that can apply: ${joinList(penalties.map((x) => `${quote(x.name)} (${m(c, figure(x.id)!.min)})`))}`);
  if (ir.floor) parts.push(`topped up to the floor of ${moneyLit(ir.floor.amount, ir.currency)}`);
  return parts.join(", ");
}

/**
 * The bias of rounding each payer's share line by line (the funding rule), for the key terms
 * and the funding section: how each share is rounded, how far a payer's total can drift from its
 * percentage of all payments for the illustrative cohort, and who absorbs the difference.
 */
function roundingBias(c: Ctx): { short: string; sentences: string[] } | undefined {
  const { ir, analysis: a } = c;
  const shares = ir.funding?.shares.filter((s) => s.percent) ?? [];
  const rest = ir.funding?.shares.find((s) => !s.percent);
  if (!shares.length || !rest) return undefined;
  const n = a.cohortSize;
  const perStudent = ir.clauses.length + (ir.floor ? 1 : 0);
  const fixedCohort = ir.cohorts.filter((x) => !x.over).length;
  const lines = n * perStudent + fixedCohort;
  const restName = partyTerm(rest.party, ir);
  const sentences: string[] = [];
  const short: string[] = [];
  for (const sh of shares) {
    const who = partyTerm(sh.party, ir);
    const r = sh.rounding;
    const unit = r.unit === "dollar" ? 100 : 1;
    const half = r.mode === "half-up" || r.mode === "half-even";
    // largest drift per line in cents: half a unit when rounding to the nearest, just under a whole unit otherwise
    const perLine = Rational.of(unit, half ? 2 : 1);
    const bound = money(perLine.mul(lines).div(100), ir.currency);
    const lineWords = half ? `half a ${r.unit}` : `just under a ${r.unit}`;
    const direction = r.mode === "down"
      ? `always in ${who}'s favour: every line rounds down, so ${restName} pays the difference`
      : r.mode === "up"
        ? `always against ${who}: every line rounds up, so ${restName} pays less by the difference`
        : `in either direction, depending on the cents of each line; ${restName} absorbs the difference`;
    sentences.push(`Since ${who}'s share is rounded line by line, ${who}'s total can differ from ${percentText(sh.percent!.value)} of all the payments by up to ${lineWords} a line, ${direction}.`);
    sentences.push(`For ${n} ${n === 1 ? c.noun : c.nouns} with up to ${perStudent} payment ${perStudent === 1 ? "line" : "lines"} each${fixedCohort ? ` and ${fixedCohort} cohort ${fixedCohort === 1 ? "payment" : "payments"}` : ""}, that is ${half ? "up to" : "less than"} ${bound}.`);
    short.push(`each share of each line is rounded ${roundingShort(r)}, so ${who}'s total can differ from ${percentText(sh.percent!.value)} of all payments by ${half ? "up to" : "less than"} ${bound} for ${n} ${n === 1 ? c.noun : c.nouns}; ${restName} absorbs it`);
  }
  return { short: short.join("; "), sentences };
}

function keyTermsBlocks(c: Ctx): Block[] {
  const { ir, analysis: a } = c;
  const rows: Cell[][] = [];
  const row = (term: string, value: string, how: string, span?: A.Span) => rows.push([{ text: term }, { text: value, ...(span ? { span } : {}) }, { text: how }]);
  const names = (ids: string[]) => joinList(ids.map((id) => quote(ir.clauses.find((x) => x.id === id)?.name ?? id)));
  const n = a.cohortSize;
  if (ir.clauses.length) {
    const unbounded = a.perStudent.clauses.filter((x) => x.max === null).map((x) => x.clause);
    const weighted = a.perStudent.maxClauses.some((id) => (ir.clauses.find((x) => x.id === id)?.weights.length ?? 0) > 0);
    const unboundedWords = `${names(unbounded)} ${unbounded.length > 1 ? "have" : "has"} no upper bound in the contract's terms`;
    row(
      `Price per ${c.noun} (maximum)`,
      m(c, a.perStudent.max),
      a.perStudent.max === null
        ? `${unboundedWords}, and there is no cap per ${c.noun}`
        : a.perStudent.uncappedMax === null
          ? `${unboundedWords}, so the cap per ${c.noun} sets the maximum`
          : `the most one ${c.noun} can earn: ${names(a.perStudent.maxClauses)}${weighted ? ", with the weights that raise them" : ""}${ir.studentCap && a.caps.student?.canBind ? `, limited by the cap per ${c.noun}` : ""}`,
    );
    row(`Minimum per ${c.noun}`, m(c, a.perStudent.min), minimumHow(c));
    const max = a.perStudent.max;
    const atRisk = a.contingent.clauses;
    const safe = a.perStudent.maxClauses.filter((id) => !atRisk.includes(id));
    row(
      "Share at risk (contingent share)",
      a.contingent.share ?? "not determined",
      a.contingent.share
        ? atRisk.length
          ? `the part of the maximum whose conditions read an assessment score, so that it depends on ${c.nouns}' outcomes: ${names(atRisk)}, ${m(c, a.contingent.amount)} of ${m(c, max)}${safe.length ? `; ${names(safe)} ${safe.length > 1 ? "do" : "does"} not depend on a score` : ""}`
          : `no payment in the maximum reads an assessment score: ${names(safe)} ${safe.length > 1 ? "do" : "does"} not depend on ${c.nouns}' outcomes`
        : max === null || a.perStudent.uncappedMax === null
          ? `some payments have no upper bound in the contract's terms`
          : `no per-${c.noun} payment can be earned`,
    );
  }
  // exposure
  const exposure: string[] = [];
  if (ir.clauses.length && a.perStudent.max !== null) exposure.push(`${n} × ${m(c, a.perStudent.max)}`);
  for (const co of a.cohort.cohortClauses) {
    if (co.perPeriod) exposure.push(`${quote(co.name)}, up to ${m(c, co.max)} for each ${humanize(ir.cohorts.find((x) => x.id === co.clause)?.over?.period ?? "period")}, with no limit on the number of periods`);
    else exposure.push(`${quote(co.name)}, up to ${m(c, co.max)}`);
  }
  let exposureHow = exposure.join(" plus ");
  if (ir.contractCap) {
    const cap = moneyLit(ir.contractCap.amount, ir.currency);
    exposureHow += a.cohort.largestUncapped !== null && !Rational.parse(a.cohort.largestUncapped).gt(Rational.parse(a.caps.contract!.amount))
      ? `${exposureHow ? "; " : ""}the cap per contract of ${cap} is not reached`
      : `${exposureHow ? "; " : ""}limited by the cap per contract of ${cap}`;
  } else if (a.cohort.largestTotal === null) exposureHow += `${exposureHow ? "; " : ""}there is no cap per contract`;
  row(`Maximum exposure for a cohort of ${n} ${n === 1 ? c.noun : c.nouns}`, m(c, a.cohort.largestTotal), exposureHow || "nothing can be paid");
  if (ir.studentCap) {
    const s = a.caps.student!;
    row(`Cap per ${c.noun}`, moneyLit(ir.studentCap.amount, ir.currency),
      s.canBind ? `can bind; shared ${ir.studentCap.allocation === "in-order" ? "in clause order" : "pro rata"}` : `cannot bind: the most one ${c.noun} can earn is ${m(c, a.perStudent.max)}`,
      ir.studentCap.span);
  }
  for (const cc of ir.clauses.flatMap((x) => x.caps)) {
    const f = a.caps.clauses.find((x) => x.name === cc.clause?.value);
    row(`Cap on ${quote(cc.clause?.value ?? "")}`, moneyLit(cc.amount, ir.currency),
      f?.bindsFromCohortSize ? `binds from ${f.bindsFromCohortSize} ${c.nouns} paid the full amount` : f?.canBind ? "can bind" : "cannot bind", cc.span);
  }
  if (ir.contractCap) {
    const k = a.caps.contract!;
    row("Cap per contract", moneyLit(ir.contractCap.amount, ir.currency),
      k.bindsFromCohortSize ? `binds from ${k.bindsFromCohortSize} ${c.nouns} earning the maximum` : k.canBind ? "can bind" : "cannot bind",
      ir.contractCap.span);
  }
  if (ir.floor) row(`Floor per ${c.noun}`, moneyLit(ir.floor.amount, ir.currency), "a total below it is topped up", ir.floor.span);
  const shares = ir.funding
    ? joinList(ir.funding.shares.map((s) => `${partyLabel(s.party, ir)} ${s.percent ? `${s.percent.value}%` : "the rest"}`))
    : `${partyLabel(defaultPayer(ir), ir)} 100%`;
  row("Funding split", shares, "of every payment line", ir.funding?.decl.span);
  const bias = roundingBias(c);
  if (bias) row("Rounding of the shares", "line by line", bias.short, ir.funding?.decl.span);
  if (ir.settlement.length) row("Settlement dates", joinList(ir.settlement.map(formatDate)), "when payments are settled", itemOf(ir, "SettlementDecl")?.span);
  if (ir.term) row("Term", `${formatDate(ir.term.start)} to ${formatDate(ir.term.end)}`, "both days included", itemOf(ir, "TermDecl")?.span);
  const intro = S(
    `The figures below are computed from the contract's terms; the exposure is for an illustrative cohort of ${n} ${n === 1 ? c.noun : c.nouns}.`,
    c.titleSpan,
  );
  return [para(intro), { type: "table", header: ["Term", "Value", "How it is determined"], rows }];
}

// ───────────────────────────── parties, definitions, data ─────────────────────────────

function partiesSection(c: Ctx): Section {
  const { ir } = c;
  const blocks: Block[] = [];
  const parties = itemOf(ir, "PartiesDecl");
  if (parties) {
    blocks.push(para(S(`This contract is made between the following parties${ir.parties.length > 1 ? "" : ""}:`, parties.span)));
    blocks.push({
      type: "list",
      style: "bullets",
      items: ir.parties.map((p) => {
        const label = partyLabel(p.id, ir);
        define(c, label, p.decl.span);
        return [S(`${p.name}, ${article(humanize(p.role))} (the ${quote(label)}).`, p.decl.span)];
      }),
    });
  }
  const sentences: Sentence[] = [];
  if (ir.id !== undefined) sentences.push(S(`The contract is identified as ${quote(ir.id)} in the settlement ledger.`, ir.ast.id?.span ?? c.titleSpan));
  if (ir.version) sentences.push(S(`This is version ${ir.version} of the contract.`, ir.ast.version?.span ?? c.titleSpan));
  const term = itemOf(ir, "TermDecl");
  if (term && ir.term) sentences.push(S(`The contract runs from ${formatDate(ir.term.start)} to ${formatDate(ir.term.end)}, both days included.`, term.span));
  else sentences.push(S("The contract states no term, so its deadlines are not limited to a period.", c.titleSpan));
  const cur = itemOf(ir, "CurrencyDecl");
  sentences.push(S(`All amounts are in ${currencyWords(ir.currency)}.`, cur?.span ?? c.titleSpan));
  blocks.push(para(...sentences));
  return section(c, "parties", "Parties, term and currency", blocks);
}

function definitions(c: Ctx): Section {
  const { ir } = c;
  const ctx = studentCtx(ir);
  const blocks: Block[] = [];
  const rosterWords = `a ${c.noun}`;
  const target = ir.populations.eligible ?? ir.populations.identified;
  for (const which of ["eligible", "identified", "served"] as const) {
    const p = ir.populations[which];
    if (!p) continue;
    const term = populationTerm(which, ir);
    define(c, term, p.span);
    const base = which === "served" && target ? article(populationTerm(target.which, ir)) : rosterWords;
    const text = `${quote(term)} means ${populationDefinition(p, ctx, base)}.`;
    const extra: Sentence[] = [];
    if (which === "served" && target) extra.push(S(`Every Served ${capitalize(c.noun)} is therefore also ${article(populationTerm(target.which, ir))}.`, p.span));
    blocks.push({ type: "definition", term, sentences: [S(text, p.span), ...extra] });
  }
  for (const mdecl of ir.metrics.values()) {
    const term = humanTerm(mdecl.name.name);
    define(c, term, mdecl.span);
    const sentences = [S(metricDefinition(mdecl, ctx), mdecl.span)];
    const missing = missingFields(mdecl.expr, ctx);
    if (missing.length) {
      sentences.push(S(`It is missing when ${joinList(missing.map((f) => fieldWords(f)), "or")} ${missing.length > 1 ? "is" : "is"} missing.`, mdecl.span));
    }
    if (mdecl.origin) sentences.push(S(`This definition is taken from the template ${mdecl.origin}.`, mdecl.span));
    blocks.push({ type: "definition", term, sentences });
  }
  return section(c, "definitions", "Definitions", blocks);
}

function dataSetSentence(ds: DataSetIR, c: Ctx): string {
  switch (ds.kind) {
    case "student":
      return ds.roster
        ? `The ${ds.name} data lists the ${c.nouns} of this contract (the roster): one row per ${c.noun}, identified by ${ds.key}.`
        : `The ${ds.name} data has one row per ${c.noun}, identified by ${ds.key} and matched to the roster.`;
    case "period":
      return `The ${ds.name} data has one row per ${humanize(ds.period ?? "period")} (column ${ds.period}) for the cohort as a whole.`;
    case "student-period":
      return `The ${ds.name} data has one row per ${ds.key ? humanize(ds.key.replace(/_id$/, "")) : c.noun} and ${humanize(ds.period ?? "period")} (columns ${ds.key} and ${ds.period}).`;
    case "events":
      return `The ${ds.name} data has one row per ${humanize(ds.decl.per?.name ?? "event")}, several for a ${c.noun}, identified by ${ds.key}${ds.dated ? ` and dated by ${ds.dated}` : ""}.`;
  }
}

function dataSection(c: Ctx): Section {
  const { ir } = c;
  const blocks: Block[] = [];
  for (const ds of ir.dataSets) {
    blocks.push(para(S(dataSetSentence(ds, c), ds.decl.span)));
    blocks.push({
      type: "table",
      caption: `The ${ds.name} data`,
      header: ["Field", "Meaning", "Kind of value", "If blank"],
      rows: ds.fields.map((f) => [
        { text: f.name, span: f.decl.span },
        f.decl.description ? { text: capitalize(f.decl.description.value), span: f.decl.description.span } : { text: fieldMeaning(f.name) },
        { text: typeWordsFor(f.type) },
        { text: f.optional ? `may be blank: ${blankMeaning(c, f, ds)}` : "required: a blank is a data error" },
      ]),
    });
  }
  const firstSpan = ir.dataSets[0]!.decl.span;
  blocks.push(para(
    S("A blank value in a required field is a data error, reported with its file, row and column; a blank value in a field that may be missing is treated as missing, never as zero or as no.", firstSpan),
    S("Every row that is rejected is reported; no row is dropped silently.", firstSpan),
  ));
  return section(c, "data", "Data the contract reads", blocks);
}

/**
 * What a blank value of an optional field means under this contract: the named conditions it
 * makes true or false (`x is missing or …`), the default it is read as (`x otherwise …`), and
 * the payments it leaves undecided, which the clause's `if missing` rule then refuses.
 */
function blankMeaning(c: Ctx, f: FieldInfo, ds: DataSetIR): string {
  const { ir } = c;
  if (ds.kind === "period") return "the values computed from it are missing for that period, and a condition that needs them does not hold";
  const out: string[] = [];
  const guards = (e: A.Expr): ("holds" | "fails")[] => {
    const found: ("holds" | "fails")[] = [];
    for (const x of subExpressions(e)) {
      if (x.$type !== "Logical") continue;
      const l = x.operands[0]!;
      if (l.$type === "IsMissing" && l.operand.$type === "NameRef" && l.operand.name === f.name) {
        if (x.op === "or" && !l.negated) found.push("holds");
        if (x.op === "and" && l.negated) found.push("fails");
      }
    }
    return found;
  };
  const defaults = (e: A.Expr): string[] =>
    subExpressions(e).flatMap((x) => (x.$type === "Otherwise" && x.values[0]!.$type === "NameRef" && x.values[0]!.name === f.name ? [valueText(x.values[1]!, studentCtx(ir))] : []));
  for (const md of ir.metrics.values()) {
    for (const g of new Set(guards(md.expr))) out.push(`${quote(humanTerm(md.name.name))} ${g === "holds" ? "holds" : "does not hold"}`);
    for (const d of new Set(defaults(md.expr))) out.push(`${quote(humanTerm(md.name.name))} reads it as ${d}`);
  }
  const refused = { "not-met": [] as string[], excluded: [] as string[] };
  for (const cl of ir.clauses) {
    const d = cl.decl;
    const exprs = [d.condition, d.amount.$type === "FixedAmount" ? d.amount.amount : undefined, ...(d.amount.$type === "TieredAmount" ? d.amount.tiers.flatMap((t) => [t.condition, t.amount]) : [])]
      .filter((x): x is A.Expr => !!x);
    if (exprs.some((e) => missingFields(e, studentCtx(ir)).includes(f.name))) refused[d.missing?.outcome ?? "not-met"].push(quote(cl.name));
  }
  if (refused["not-met"].length) out.push(`${joinList(refused["not-met"])} ${refused["not-met"].length > 1 ? "are" : "is"} not paid`);
  if (refused.excluded.length) out.push(`the ${c.noun} is excluded from ${joinList(refused.excluded)}`);
  return out.length ? out.join("; ") : "no payment reads it";
}

function typeWordsFor(t: A.FieldTypeName): string {
  switch (t) {
    case "integer": return "whole number";
    case "decimal": return "number";
    case "score": return "score";
    case "count": return "count (zero or more)";
    case "percent": return "percentage";
    case "money": return "amount of money";
    case "boolean": return "yes or no";
    case "date": return "date";
    case "text": return "text";
  }
}

// ───────────────────────────── payments ─────────────────────────────

function clauseBlocks(cl: ClauseIR, c: Ctx): Block[] {
  const { ir } = c;
  const d = cl.decl;
  const span = d.span;
  const blocks: Block[] = [para(S(clauseSentence(cl, ir), span))];
  if (d.amount.$type === "TieredAmount") {
    const tiers = d.amount.tiers;
    blocks.push({ type: "list", style: "letters", items: tiers.map((t, i) => [S(tierText(t, i, tiers.length, ir), t.span)]) });
    const notes = [S("A tier applies only when no tier above it applies. If a value needed to decide a tier is missing before a tier applies, no lower tier is paid.", span)];
    if (!tiers.some((t) => !t.condition)) notes.push(S(`A ${c.noun} who meets no tier is paid nothing under this clause.`, span));
    blocks.push(para(...notes));
  }
  const more: Sentence[] = [];
  if (d.due) more.push(S(dueSentence(d, ir), span));
  if (d.missing) {
    const exprs = [d.condition, d.amount.$type === "FixedAmount" ? d.amount.amount : undefined, ...(d.amount.$type === "TieredAmount" ? d.amount.tiers.flatMap((t) => [t.condition, t.amount]) : [])];
    const fields = [...new Set(exprs.flatMap((e) => (e ? missingFields(e, studentCtx(ir)) : [])))];
    more.push(S(missingSentence(d.missing, ir, fields), d.missing.span));
  }
  for (const [a, b] of c.analysis.perStudent.exclusive) {
    if (b !== cl.id) continue;
    const other = ir.clauses.find((x) => x.id === a);
    if (other) more.push(S(`This payment and ${quote(other.name)} are never both paid for the same ${c.noun}.`, span));
  }
  for (const w of cl.weights) more.push(S(`${weightSentence(w, ir, true).slice(0, -1)}${ref(c, "weights")}.`, w.span));
  for (const cap of cl.caps) more.push(S(`The ${quote(cl.name)} payments to all ${c.nouns} together may not exceed ${moneyLit(cap.amount, ir.currency)}${ref(c, "caps")}.`, cap.span));
  if (d.origin) more.push(S(`This clause is taken from the template ${d.origin}${ref(c, "templates")}.`, span));
  if (more.length) blocks.push(para(...more));
  return blocks;
}

function payments(c: Ctx): Section {
  const { ir } = c;
  const intro = S(
    `The following payments are made for each ${c.noun} of the group each one names. Each is decided separately; a ${c.noun} may earn several of them unless a clause says otherwise.`,
    ir.clauses[0]!.decl.span,
  );
  const subs = ir.clauses.map((cl) => ({ title: `${quote(cl.name)} (${kindWords(cl.kind)})`, blocks: clauseBlocks(cl, c), sections: [] }));
  return section(c, "payments", `Payments for each ${c.noun}`, [para(intro)], subs);
}

function cohortSection(c: Ctx): Section {
  const { ir } = c;
  const subs = ir.cohorts.map((co) => {
    const ctx = cohortCtx(ir, co);
    const d = co.decl;
    const period = co.over ? humanize(co.over.period ?? "period") : undefined;
    const due = d.due ? `, due by ${formatDate(d.due.value)}` : "";
    const blocks: Block[] = [
      para(S(
        co.over
          ? `${quote(co.name)} is a cohort payment made once for each ${period} of the ${co.over.name} data${due}.`
          : `${quote(co.name)} is a cohort payment made once for the whole cohort${due}.`,
        d.span,
      )),
    ];
    if (d.lets.length) {
      blocks.push(para(S(co.over ? `For each ${period}:` : "For this payment:", d.span)));
      blocks.push({
        type: "list",
        style: "letters",
        // (a) …; (b) …; (c) ….: the last definition ends the list
        items: d.lets.map((l, i) => {
          define(c, humanTerm(l.name.name), l.span);
          return [S(`${metricDefinition(l, ctx).slice(0, -1)}${i === d.lets.length - 1 ? "." : ";"}`, l.span)];
        }),
      });
    }
    const amount = valueText(d.amount, ctx);
    const when = d.condition ? `, made only when ${condText(cond(d.condition, ctx))}` : "";
    const sentences = [S(`The payment${co.over ? ` for each ${period}` : ""} is ${amount}${when}.`, d.span)];
    if (d.condition) sentences.push(S("If a value needed to decide this is missing (for example, the share of an empty group), the payment is not made.", d.span));
    const rules: string[] = [`rounded ${roundingShort(ir.rounding)}`];
    if (ir.contractCap) rules.push(`counts toward the cap per contract`);
    rules.push(`is shared among the payers as set out in section ${c.num.get("funding")}`);
    sentences.push(S(`It is ${joinList(rules)}; caps per ${c.noun} and per clause, weights, the floor and withholding do not apply to it.`, d.span));
    blocks.push(para(...sentences));
    return { title: `${quote(co.name)} (cohort payment)`, blocks, sections: [] };
  });
  return section(c, "cohort", "Cohort payments", [], subs);
}

function weights(c: Ctx): Section {
  const { ir } = c;
  const items = ir.weights.map((w) => [S(weightSentence(w, ir), w.span)]);
  return section(c, "weights", "Weights", [
    { type: "list", style: "bullets", items },
    para(S("A weight changes only a payment that is met, and applies before the payment is rounded; where several weights apply to the same payment, they multiply together.", ir.weights[0]!.span)),
  ]);
}

function caps(c: Ctx): Section {
  const { ir, analysis: a } = c;
  const blocks: Block[] = [];
  if (ir.studentCap) {
    const s = capSentences(ir.studentCap, ir).map((t) => S(t, ir.studentCap!.span));
    const st = a.caps.student!;
    s.push(S(
      st.canBind
        ? a.perStudent.uncappedMax === null
          ? `The payments one ${c.noun} can earn have no upper bound in the contract's terms, so this cap can bind.`
          : `The payments one ${c.noun} can earn together add up to as much as ${m(c, a.perStudent.uncappedMax)}, so this cap can bind.`
        : `The most one ${c.noun} can earn is ${m(c, a.perStudent.uncappedMax)}, so this cap cannot bind.`,
      ir.studentCap.span,
    ));
    blocks.push(para(...s));
  }
  for (const cl of ir.clauses) for (const cap of cl.caps) blocks.push(para(...capSentences(cap, ir).map((t) => S(t, cap.span))));
  if (ir.contractCap) {
    const s = capSentences(ir.contractCap, ir).map((t) => S(t, ir.contractCap!.span));
    const k = a.caps.contract!;
    if (k.bindsFromCohortSize) {
      s.push(S(`If every ${c.noun} earned the maximum of ${m(c, a.perStudent.max)}, this cap would bind from ${k.bindsFromCohortSize} ${c.nouns}.`, ir.contractCap.span));
    } else if (k.canBind) {
      s.push(S(`The contract's terms set no upper bound on what the ${c.nouns} can earn, so this cap can bind.`, ir.contractCap.span));
    }
    blocks.push(para(...s));
  }
  if (ir.floor) blocks.push(para(...floorSentences(ir.floor, ir).map((t) => S(t, ir.floor!.span))));
  return section(c, "caps", "Caps and floor", blocks);
}

function rounding(c: Ctx): Section {
  const { ir } = c;
  const decl = itemOf(ir, "RoundingDecl");
  const span = decl?.span ?? c.titleSpan;
  const what = ir.clauses.length ? [ir.weights.length ? "each payment after its weights" : "each payment"] : [];
  if (ir.cohorts.length) what.push("each cohort payment");
  if (ir.escalations.some((e) => e.decl.levels.some((l) => l.actions.some((x) => x.$type === "WithholdAction")))) what.push("each withholding");
  const blocks: Block[] = [
    para(
      S(`Every computed amount (${joinList(what)}) is rounded ${roundingWords(ir.rounding)}${decl ? "" : ", the rule that applies when a contract states none"}.`, span),
      S("Until then every amount is exact: there is no intermediate rounding.", span),
      S("Payments are computed in this order:", span),
    ),
  ];
  const steps: Sentence[] = [];
  if (ir.clauses.length) steps.push(S(ir.weights.length ? "each payment that is met is multiplied by the weights that apply to it and rounded;" : "each payment that is met is rounded;", ir.weights[0]?.span ?? span));
  const clauseCaps = ir.clauses.flatMap((x) => x.caps);
  if (clauseCaps.length) steps.push(S("the caps on single payments are applied;", clauseCaps[0]!.span));
  if (ir.studentCap) steps.push(S(`the cap per ${c.noun} is applied;`, ir.studentCap.span));
  if (ir.floor) steps.push(S("the floor is applied;", ir.floor.span));
  if (ir.cohorts.length) steps.push(S("the cohort payments are computed and rounded;", ir.cohorts[0]!.decl.span));
  if (ir.contractCap) steps.push(S("the cap per contract is applied;", ir.contractCap.span));
  const withholding = ir.escalations.find((e) => e.decl.levels.some((l) => l.actions.some((x) => x.$type === "WithholdAction")));
  if (withholding) steps.push(S("any withholding under the escalation protocol is applied;", withholding.decl.span));
  steps.push(S("each payment is split among the payers.", ir.funding?.decl.span ?? span));
  blocks.push({ type: "list", style: "numbers", items: steps.map((s) => [s]) });
  return section(c, "rounding", "Rounding and order of computation", blocks);
}

function funding(c: Ctx): Section {
  const { ir } = c;
  if (!ir.funding) {
    return section(c, "funding", "Funding", [para(S(`${capitalize(partyTerm(defaultPayer(ir), ir))} pays every payment.`, c.titleSpan))]);
  }
  const sentences = ir.funding.shares.map((s) => S(fundingShareSentence(s.decl, ir), s.decl.span));
  sentences.push(S(`${ir.floor ? "Floor payments" : ""}${ir.floor && ir.cohorts.length ? " and cohort payments" : ir.cohorts.length ? "Cohort payments" : ""}${ir.floor || ir.cohorts.length ? " are split in the same way." : "Each share is computed on the payment line after every cap."}`, ir.funding.decl.span));
  const blocks = [para(...sentences)];
  const bias = roundingBias(c);
  if (bias) {
    const more = bias.sentences.map((t) => S(t, ir.funding!.decl.span));
    const ex = c.examples;
    if (ex && ex.totals.paid !== "0.00") {
      for (const sh of ir.funding.shares.filter((x) => x.percent)) {
        const paid = Rational.parse(ex.totals.paid);
        const got = Rational.parse(ex.totals.byPayer[sh.party] ?? "0");
        const exact = paid.mul(Rational.parse(sh.percent!.value)).div(100);
        const diff = got.sub(exact);
        const words = diff.isZero()
          ? `exactly ${percentText(sh.percent!.value)}`
          : `${money(diff.abs(), ir.currency)} ${diff.isNegative() ? "less" : "more"} than ${percentText(sh.percent!.value)} of it`;
        more.push(S(`In the worked examples${ref(c, "examples")}, ${partyTerm(sh.party, ir)} pays ${moneyText(ex.totals.byPayer[sh.party] ?? "0", ir.currency)} of ${moneyText(ex.totals.paid, ir.currency)}: ${words}.`, ir.funding.decl.span));
      }
    }
    blocks.push(para(...more));
  }
  return section(c, "funding", "Funding", blocks);
}

function settlement(c: Ctx): Section {
  const { ir } = c;
  const decl = itemOf(ir, "SettlementDecl")!;
  const sentences = [S(`Payments are settled on ${joinList(ir.settlement.map(formatDate))}.`, decl.span)];
  if (ir.clauses.some((x) => x.decl.due)) sentences.push(S("Each settlement pays what is due on its date: a payment whose deadline falls after that date is not yet payable.", decl.span));
  return section(c, "settlement", "Settlement", [para(...sentences)]);
}

// ───────────────────────────── escalation, routines, governance ─────────────────────────────

function escalation(c: Ctx): Section {
  const { ir } = c;
  const subs = ir.escalations.map((esc) => {
    const ctx: EnglishContext = escalationCtx(ir, esc);
    const d = esc.decl;
    const period = esc.over ? humanize(esc.over.period ?? "period") : "period";
    const blocks: Block[] = [para(S(`The escalation protocol ${quote(esc.name)} is reviewed at each checkpoint: each ${period} of the ${d.over.name} data, taken in order.`, d.span))];
    if (d.measures.length) {
      blocks.push({
        type: "list",
        style: "bullets",
        items: d.measures.map((mm) => {
          define(c, humanTerm(mm.name.name), mm.span);
          return [S(`At each checkpoint, ${metricDefinition(mm, ctx)}`, mm.span)];
        }),
      });
    }
    const rows: Cell[][] = d.levels.map((l) => {
      const duties = l.actions.filter((x): x is A.DutyAction => x.$type === "DutyAction").map((x) => dutyText(x, ir));
      const hold = l.actions.filter((x): x is A.WithholdAction => x.$type === "WithholdAction").map((x) => withholdText(x, ctx));
      const term = l.actions.filter((x): x is A.TerminateAction => x.$type === "TerminateAction").map((x) => terminateText(x, ir));
      return [
        { text: l.level.value, span: l.span },
        { text: capitalize(triggerText(l, ctx)), span: l.condition.span },
        { text: capitalize(duties.join("; ")) || "none", ...(l.actions.find((x) => x.$type === "DutyAction") ? { span: l.actions.find((x) => x.$type === "DutyAction")!.span } : {}) },
        { text: capitalize(hold.join("; ")) || "none", ...(l.actions.find((x) => x.$type === "WithholdAction") ? { span: l.actions.find((x) => x.$type === "WithholdAction")!.span } : {}) },
        { text: capitalize(term.join("; ")) || "none", ...(l.actions.find((x) => x.$type === "TerminateAction") ? { span: l.actions.find((x) => x.$type === "TerminateAction")!.span } : {}) },
      ];
    });
    blocks.push({ type: "table", caption: `Levels of ${quote(esc.name)}`, header: ["Level", "Trigger", "Actions, with parties and deadlines", "Withholding", "Termination"], rows });
    blocks.push(para(S("How the protocol is applied:", d.span)), { type: "list", style: "bullets", items: escalationRules(c, esc, ctx) });
    return { title: quote(esc.name), blocks, sections: [] };
  });
  return section(c, "escalation", "Escalation protocol", [], subs);
}

/**
 * What the engine means by an escalation protocol, where a reader could take it otherwise:
 * which level applies, what "consecutive" means when a period has no data, that levels do not
 * accumulate, what a withholding covers, when it is released and who keeps it, and that a
 * right to terminate lapses when the measure recovers.
 */
function escalationRules(c: Ctx, esc: EscalationIR, ctx: EnglishContext): Sentence[][] {
  const { ir } = c;
  const d = esc.decl;
  const period = esc.over ? humanize(esc.over.period ?? "period") : "period";
  const periods = plural(period);
  const rules: Sentence[][] = [
    [S("At each checkpoint, the highest level whose trigger holds applies; if no trigger holds, no level applies.", d.span)],
    [S(
      period === "month"
        ? `The checkpoints are the months from the first to the last in the ${d.over.name} data, in order: a month with no row between them is a checkpoint at which nothing is measured and no trigger holds, so it breaks a run of consecutive checkpoints instead of being skipped; a month whose values are blank is a checkpoint at which no trigger that needs them holds.`
        : `The checkpoints are the ${periods} that have a row in the ${d.over.name} data, in order (when they are calendar months, written as 2026-10, a month with no row between the first and the last is a checkpoint at which nothing is measured and no trigger holds, so it breaks a run of consecutive checkpoints); a ${period} whose values are blank is a checkpoint at which no trigger that needs them holds.`,
      d.span,
    )],
  ];
  if (d.levels.length > 1) {
    const top = d.levels[d.levels.length - 1]!.level.value;
    rules.push([S(`Levels do not accumulate: at a checkpoint where level ${top} applies, the actions of the lower levels are not required again unless level ${top} lists them.`, d.span)]);
  }
  for (const l of d.levels) {
    for (const a of l.actions) {
      if (a.$type !== "WithholdAction") continue;
      const kind = a.of === "all" ? "" : a.of;
      const covered = ir.clauses.filter((x) => a.of === "all" || x.kind === a.of).map((x) => quote(x.name));
      const what = `${kind ? `${kind} ` : ""}payment${covered.length ? ` (${joinList(covered)})` : ""}`;
      rules.push([S(
        `The withholding of level ${l.level.value} covers ${percentText(a.percent.value)} of every ${what} of every ${c.noun}, whenever it fell due: payments already made at an earlier settlement are covered too, and the next settlement pays that much less.`,
        a.span,
      ), S(
        a.until
          ? `It is released, and paid at the next settlement, at the first later checkpoint at which ${conditionText(a.until, ctx)}; a withholding still in force after the last checkpoint stays withheld.`
          : "It is never released: the contract does not say whether withheld money is paid at the end, and it stays withheld, so the payers keep it.",
        a.span,
      )]);
    }
  }
  if (d.levels.some((l) => l.actions.some((x) => x.$type === "WithholdAction"))) {
    rules.push([S(`A withholding comes into force when its level applies and stays in force, even if the level later drops, until it is released; a later level's withholding replaces it. Withheld amounts are computed after the caps, rounded ${roundingShort(ir.rounding)}, and each payer keeps back its own share of them, in the proportion in which it funds the payment.`, d.span)]);
  }
  if (d.levels.some((l) => l.actions.some((x) => x.$type === "TerminateAction"))) {
    rules.push([S("A right to terminate exists only at the checkpoints where it arises: if the measure recovers and the level no longer applies at a later checkpoint, the right lapses.", d.span)]);
  }
  if (d.levels.some((l) => l.actions.some((x) => x.$type === "DutyAction"))) {
    rules.push([S("The actions are recorded with each checkpoint at which their level applies; they do not change any payment.", d.span)]);
  }
  return rules;
}

function routines(c: Ctx): Section {
  const { ir } = c;
  return section(c, "routines", "Data sharing and check-ins", [
    { type: "list", style: "bullets", items: ir.routines.map((r) => [S(routineSentence(r, ir), r.span)]) },
    para(S("These routines do not affect any payment.", itemOf(ir, "RoutinesDecl")?.span ?? c.titleSpan)),
  ]);
}

function governance(c: Ctx): Section {
  const { ir } = c;
  const decl = itemOf(ir, "GovernanceDecl");
  const sentences = ir.governance.map((g) => S(g.$type === "CommitteeDecl" ? committeeSentence(g, ir) : amendmentRuleSentence(g, ir), g.span));
  return section(c, "governance", "Governance", [
    para(...sentences),
    para(S("These arrangements govern how the contract is run and changed; they do not affect any payment.", decl?.span ?? c.titleSpan)),
  ]);
}

function tracked(c: Ctx): Section {
  const { ir } = c;
  return section(c, "tracked", "Metrics tracked but not paid", [
    para(S("The parties will track the following for learning; they are not tied to any payment:", ir.tracked[0]!.span)),
    { type: "list", style: "bullets", items: ir.tracked.map((t) => [S(trackSentence(t), t.span)]) },
  ]);
}

function templates(c: Ctx, imports: A.ImportDecl[], uses: A.UseDecl[]): Section {
  const { original: ir } = c;
  const items: Sentence[][] = [];
  for (const i of imports) {
    const from = i.from === "stdlib" ? `the standard template library${i.version ? `, version ${i.version.value}` : ""}` : `the file ${quote(i.from.value)}`;
    items.push([S(`This contract imports the template ${i.name.name} from ${from}.`, i.span)]);
  }
  for (const u of uses) {
    const args = u.args.map((a) => `${a.name.name} = ${a.value.$type === "PopulationArg" ? populationTermPlural(a.value.which, ir) : a.value.$type === "StringLit" ? quote(a.value.value) : valueText(a.value, studentCtx(ir))}`);
    const added = ir.ast.items.filter((x) => x.span.start === u.span.start && x.span.end === u.span.end).map((x) => itemName(x)).filter((x): x is string => !!x);
    const adds = added.length ? `; it adds ${joinList(added)}` : "";
    items.push([S(`The template ${u.name.name} is used with ${joinList(args) || "its default values"}${adds}.`, u.span)]);
  }
  return section(c, "templates", "Templates", [
    { type: "list", style: "bullets", items },
    para(S("A clause taken from a template is rendered in this summary like any other clause, with the values given to the template written in.", (imports[0] ?? uses[0])!.span)),
  ]);
}

function itemName(i: A.Item): string | undefined {
  switch (i.$type) {
    case "PaymentClause": return `the ${kindWords(i.kind)} ${quote(i.name.value)}`;
    case "CohortClause": return `the cohort payment ${quote(i.name.value)}`;
    case "MetricDecl": return `the definition of ${quote(humanTerm(i.name.name))}`;
    case "WeightDecl": return "a weight";
    case "CapDecl": return "a cap";
    case "EscalationDecl": return `the escalation protocol ${quote(i.name.value)}`;
    case "TrackDecl": return `the tracked metric ${quote(i.name.value)}`;
    case "PopulationDecl": return `the definition of ${quote(`${capitalize(i.which)} Student`)}`;
    default: return undefined;
  }
}

function amendments(c: Ctx): Section {
  const { original: ir, source } = c;
  const subs = ir.amendments.map((am, i) => {
    const prev = i === 0 ? ir : ir.amendments[i - 1]!.ir;
    const diff = diffContracts(prev, source, am.ir, source, { analysis: false });
    const blocks: Block[] = [para(S(`Amendment ${quote(am.version)} takes effect on ${formatDate(am.effective)}. From that date:`, am.decl.span))];
    // a change the amendment writes (`remove`, `rename`) is said at its own place; a clause
    // replaced by others is said once, with what replaces it, instead of "removed"
    const spanOf = (key: string) => prev.ast.items.find((x) => itemKey(x) === key)?.span;
    const at: { old: A.Span; own: A.Span }[] = [];
    const replaced: A.ReplaceItem[] = [];
    for (const x of am.decl.items) {
      if (x.$type === "ReplaceItem") replaced.push(x);
      const old = x.$type === "RemoveItem" ? spanOf(removeKey(x)) : x.$type === "RenameItem" ? spanOf(`clause:${x.from.value}`) : x.$type === "ReplaceItem" ? spanOf(`clause:${x.name.value}`) : undefined;
      if (old) at.push({ old, own: x.span });
    }
    // the change of the item it takes out or renames (a rename's change is at the old name)
    const ownSpan = (ch: { oldSpan?: A.Span }) => at.find((a) => ch.oldSpan && a.old.start <= ch.oldSpan.start && ch.oldSpan.end <= a.old.end)?.own;
    const items = [
      ...replaced.map((r) => [S(`${quote(r.name.value)} is replaced by ${joinList(r.items.flatMap((x) => (x.$type === "PaymentClause" || x.$type === "CohortClause" ? [quote(x.name.value)] : [])))}.`, r.span)]),
      ...diff.changes
        .filter((x) => x.area !== "contract" && x.area !== "amendments" && !(x.kind === "removed" && replaced.some((r) => ownSpan(x) === r.span)))
        .map((ch) => [S(ch.text, (ch.kind === "removed" || ch.kind === "renamed" ? ownSpan(ch) : undefined) ?? ch.newSpan ?? am.decl.span)]),
    ];
    blocks.push({ type: "list", style: "bullets", items: items.length ? items : [[S("nothing changes in the terms.", am.decl.span)]] });
    return { title: `Amendment ${quote(am.version)}`, blocks, sections: [] };
  });
  const first = ir.amendments[0]!.decl.span;
  return section(c, "amendments", "Amendments", [
    para(S("A payment with a deadline is computed under the version of the contract in force on its deadline; every other payment and term applies under the version in force on the date of the settlement (the end of the term when no date is given).", first)),
  ], subs);
}

// ───────────────────────────── worked examples ─────────────────────────────

function cellValue(text: string, type: A.FieldTypeName | undefined): string {
  if (text === "") return "missing";
  switch (type) {
    case "boolean": return text === "true" ? "yes" : "no";
    case "date": return formatDate(text);
    case "percent": return `${text}%`;
    case "money": return moneyText(text);
    default: return text;
  }
}

function showValue(v: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return formatDate(v);
  return v;
}

/** Whether a line was paid by a clause's `otherwise:` tier at $0: no tier was reached, which is never "met". */
function zeroFallback(l: PaymentLine, ir: ContractIR): boolean {
  const a = ir.clauses.find((x) => x.id === l.clause)?.decl.amount;
  return l.status === "met" && !!l.tier && a?.$type === "TieredAmount" && !a.tiers[l.tier - 1]?.condition && Rational.parse(l.amount).isZero();
}

function statusWords(l: PaymentLine, ir: ContractIR): string {
  if (l.reason.startsWith("Not yet due")) return "not yet due";
  if (zeroFallback(l, ir)) return "no tier reached";
  switch (l.status) {
    case "met": return l.tier ? `met (tier ${l.tier})` : "met";
    case "not-met": return "not met";
    case "missing": return "not paid: value missing";
    case "excluded": return "excluded";
  }
}

/** How a line's amount was computed, when the amount is not a fixed sum: "$900.00 × Months Enrolled ÷ 10, with Months Enrolled 9". */
function amountWorking(l: PaymentLine, c: Ctx, metrics: Record<string, string>): string | undefined {
  const cl = c.ir.clauses.find((x) => x.id === l.clause);
  if (!cl || l.status !== "met") return undefined;
  const d = cl.decl;
  const e = d.amount.$type === "FixedAmount" ? d.amount.amount : l.tier ? d.amount.tiers[l.tier - 1]?.amount : undefined;
  if (!e || e.$type === "MoneyLit" || (e.$type === "Unary" && e.operand.$type === "MoneyLit")) return undefined;
  const names = [...new Set(subExpressions(e).filter((x): x is A.NameRef => x.$type === "NameRef").map((x) => x.name))];
  const values = names.map((n) => (c.ir.metrics.has(n) ? `${humanTerm(n)} ${showValue(metrics[n] ?? "?")}` : `${fieldWords(n).replace(/^the /, "")} ${showValue(metrics[n] ?? "?")}`));
  return `${valueText(e, studentCtx(c.ir))}${values.length ? `, with ${joinList(values)}` : ""}, is ${moneyText(l.base, c.ir.currency)}.`;
}

/** The reason for a line, in the summary's words. */
function lineReason(l: PaymentLine, c: Ctx, metrics: Record<string, string> = {}): string {
  const { ir } = c;
  if (l.clause === "floor") return `Tops the ${c.noun}'s total up to the floor.`;
  const cl = ir.clauses.find((x) => x.id === l.clause);
  if (!cl) return l.reason;
  if (l.reason.startsWith("Not yet due")) return `Not yet due: its deadline is after the date of the run.`;
  const d = cl.decl;
  const nodes = new Map<string, A.Expr>();
  const roots = [d.condition, ...(d.amount.$type === "TieredAmount" ? d.amount.tiers.map((t) => t.condition) : [])].filter((x): x is A.Expr => !!x);
  const ambiguous = new Set<string>();
  for (const r of roots) {
    for (const x of subExpressions(r)) {
      const k = `${x.span.start}:${x.span.end}`;
      // nodes brought in by a template all carry the span of the `use` line
      if (nodes.has(k) && nodes.get(k) !== x) ambiguous.add(k);
      nodes.set(k, x);
    }
  }
  for (const k of ambiguous) nodes.delete(k);
  // template nodes are told apart by their text with the arguments written in
  const printed = new Map<string, A.Expr>();
  for (const r of roots) for (const x of subExpressions(r)) if (x.printed && !printed.has(x.printed)) printed.set(x.printed, x);
  const nodeOf = (t: PaymentLine["conditions"][number]) => nodes.get(`${t.source.start}:${t.source.end}`) ?? printed.get(t.text);
  const ctx = studentCtx(ir);
  const vals = (t: PaymentLine["conditions"][number]) => {
    const v = Object.entries(t.values).filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, x]) => `${k}: ${showValue(x)}`);
    return v.length ? ` (${v.join("; ")})` : "";
  };
  const say = (t: PaymentLine["conditions"][number], negated: boolean): string => {
    if (t.source.start === d.populationSpan.start && t.source.end === d.populationSpan.end && /^the \w+ is (eligible|identified|served)$/.test(t.text)) {
      return `the ${c.noun} ${negated ? "is not" : "is"} ${article(populationTerm(d.population, ir))}`;
    }
    const node = nodeOf(t);
    return `${node ? condText(cond(node, ctx, negated)) : t.text}${vals(t)}`;
  };
  const isLiteralLeaf = (t: PaymentLine["conditions"][number]) => {
    const node = nodeOf(t);
    if (node) return node.$type === "BoolLit";
    // a template's default condition (`true`) may be traced under an internal name
    return t.text === "true" || (/^[A-Za-z_]\w*$/.test(t.text) && !ir.fields.has(t.text) && !ir.metrics.has(t.text) && Object.keys(t.values).length === 0);
  };
  switch (l.status) {
    case "met": {
      if (zeroFallback(l, ir)) {
        const tiers = cl.decl.amount.$type === "TieredAmount" ? cl.decl.amount.tiers.filter((t) => t.condition).length : 0;
        return `No tier applies: ${tiers === 1 ? "the condition of its tier is" : `none of the conditions of its ${tiers} tiers is`} met, and the last tier pays ${moneyText(l.amount, ir.currency)}.`;
      }
      const held = [...new Set(l.conditions.filter((t) => t.result === "true" && !isLiteralLeaf(t)).map((t) => say(t, false)))];
      const parts: string[] = [];
      const working = amountWorking(l, c, metrics);
      if (working) parts.push(working);
      const amount = moneyText(l.amount, ir.currency);
      if (l.weight !== "1") parts.push(`${moneyText(l.base, ir.currency)} × ${l.weight} = ${amount}`);
      parts.push(held.length ? `Met: ${joinList(held)}.` : "Met: this payment has no condition.");
      if (l.tier && l.tier > 1) parts.push(`No earlier tier applies.`);
      if (l.paid !== l.amount) parts.push(`Reduced from ${amount} to ${moneyText(l.paid, ir.currency)} by the caps.`);
      if (l.withheld !== "0.00") parts.push(`${moneyText(l.withheld, ir.currency)} is withheld under the escalation protocol.`);
      return parts.join(" ").replace(/(\d) Met:/, "$1. Met:");
    }
    case "not-met": {
      const failed = [...new Set(l.conditions.filter((t) => t.result === "false" && !isLiteralLeaf(t)).map((t) => say(t, true)))];
      return failed.length ? `Not met: ${joinList(failed)}.` : "Not met.";
    }
    case "missing":
    case "excluded": {
      const names = [...new Set(l.conditions.filter((t) => t.result === "missing").flatMap((t) => Object.entries(t.values).filter(([, v]) => v === "missing").map(([k]) => k)))];
      const what = names.length ? ` (${names.join(", ")})` : "";
      return l.status === "missing"
        ? `Not paid: a value needed is missing${what}, and the contract says the payment is then not made.`
        : `Excluded: a value needed is missing${what}, and the contract says the ${c.noun} is then excluded from this payment.`;
    }
  }
}

/** The worked examples to show: one schedule for each version in force that has any (or the body's). */
function scheduleExamples(versions: VersionInForce[], body: VersionInForce, opts: SummaryOptions): { version: VersionInForce; examples: WorkedExamples }[] {
  const has = (x: WorkedExamples | undefined): x is WorkedExamples => !!x && (x.students.length > 0 || x.cohorts.length > 0);
  if (opts.versionExamples) return versions.flatMap((v, i) => (has(opts.versionExamples![i]) ? [{ version: v, examples: opts.versionExamples![i]! }] : []));
  return has(opts.examples) ? [{ version: body, examples: opts.examples }] : [];
}

/** A schedule of worked examples, computed under one version in force (`letter`: A, B, …). */
function examplesSection(outer: Ctx, version: VersionInForce, ex: WorkedExamples, letter: string, several: boolean): Section {
  const c: Ctx = { ...outer, ir: version.ir };
  const { ir } = c;
  const blocks: Block[] = [];
  const subs: Omit<Section, "number">[] = [];
  const students = ex.students;
  const intro: Sentence[] = [];
  if (students.length) {
    intro.push(S(`The ${students.length} ${students.length === 1 ? c.noun : c.nouns} below are examples generated from this contract's own thresholds and run through the contract by the OBC engine, as if they were the only ${c.nouns}. They illustrate the terms; they are not data about real ${c.nouns}.`, c.titleSpan));
  } else {
    intro.push(S("The example below was generated from this contract's own terms and run through the contract by the OBC engine. It illustrates the terms; it is not real data.", c.titleSpan));
  }
  blocks.push(para(...intro));
  // the students' data, one column per student
  const studentSets = ir.dataSets.filter((d) => d.kind === "student");
  const types = new Map(ir.dataSets.flatMap((d) => d.fields.map((f) => [f.name, f.type] as const)));
  const studentTables = ex.tables.filter((t) => studentSets.some((d) => d.name === t.dataSet));
  if (students.length && studentTables.length) {
    const fields: { name: string; table: ExampleTable; col: number; span: A.Span }[] = [];
    for (const t of studentTables) {
      const ds = ir.dataSets.find((d) => d.name === t.dataSet)!;
      t.columns.forEach((col, i) => {
        if (i === 0) return;
        fields.push({ name: col, table: t, col: i, span: ds.fields.find((f) => f.name === col)?.decl.span ?? ds.decl.span });
      });
    }
    const rows: Cell[][] = fields.map((f) => [
      { text: `${fieldMeaning(f.name)} (${f.name})`, span: f.span },
      ...students.map((s) => ({ text: cellValue(f.table.rows.find((r) => r[0] === s.id)?.[f.col] ?? "", types.get(f.name)) })),
    ]);
    blocks.push({ type: "table", caption: `The example ${c.nouns}' data`, header: ["Field", ...students.map((s) => s.id)], rows });
  }
  for (const t of ex.tables.filter((x) => !studentSets.some((d) => d.name === x.dataSet))) {
    const ds = ir.dataSets.find((d) => d.name === t.dataSet)!;
    blocks.push(para(S(`The ${t.dataSet} data used for the examples:`, ds.decl.span)));
    blocks.push({
      type: "table",
      caption: `The ${t.dataSet} data`,
      header: t.columns.map((col) => (col === ds.period || col === ds.key ? humanize(col.replace(/_id$/, "")) : fieldMeaning(col))).map(capitalize),
      rows: t.rows.map((r) => r.map((v, i) => ({ text: i === 0 || t.columns[i] === ds.period ? v : cellValue(v, types.get(t.columns[i]!)) }))),
    });
  }
  students.forEach((s, i) => {
    const r = s.result;
    const sb: Block[] = [];
    if (r.lines.length === 0) {
      const pops = Object.entries(r.populations).filter(([, v]) => !v).map(([p]) => article(populationTerm(p as A.PopulationName, ir)));
      sb.push(para(S(`${s.id} is not ${joinList(pops, "or")}, so no payment under this contract applies to ${c.noun === "child" ? "this child" : `this ${c.noun}`}.`, c.titleSpan)));
    } else {
      sb.push({
        type: "table",
        header: ["Payment", "Result", "Amount", "Why"],
        rows: r.lines.map((l) => {
          const cl = ir.clauses.find((x) => x.id === l.clause);
          const span = cl?.decl.span ?? ir.floor?.span;
          return [
            { text: cl ? `${quote(cl.name)} (${kindWords(cl.kind)})` : l.clauseName, ...(span ? { span } : {}) },
            { text: statusWords(l, ir) },
            { text: moneyText(l.paid, ir.currency) },
            { text: lineReason(l, c, s.values) },
          ];
        }),
      });
      const payers = Object.entries(r.funding).filter(([, v]) => v !== "0.00").map(([p, v]) => `${partyLabel(p, ir)} ${moneyText(v, ir.currency)}`);
      const withheld = r.lines.reduce((t, l) => t.add(Rational.parse(l.withheld)), Rational.ZERO);
      sb.push(para(S(
        `Total for ${s.id}: ${moneyText(r.total, ir.currency)}${r.total !== r.uncapped ? ` (${moneyText(r.uncapped, ir.currency)} before the caps)` : ""}${payers.length > 1 ? `, paid by ${joinList(payers)}` : ""}${withheld.isZero() ? "" : `; ${money(withheld, ir.currency)} of it is withheld`}.`,
        ir.clauses[0]?.decl.span ?? c.titleSpan,
      )));
    }
    subs.push({ title: `Example ${i + 1}: ${s.id}, ${s.title}`, blocks: sb, sections: [] });
  });
  if (ex.cohorts.length) subs.push({ title: "Cohort payments in the examples", blocks: cohortResults(ex.cohorts, c), sections: [] });
  if (ex.escalations.some((e) => e.checkpoints.length)) subs.push({ title: "Escalation in the examples", blocks: escalationResults(ex.escalations, c), sections: [] });
  if (students.length > 1 || ex.cohorts.length) {
    const payers = Object.entries(ex.totals.byPayer).filter(([, v]) => v !== "0.00").map(([p, v]) => `${partyLabel(p, ir)} ${moneyText(v, ir.currency)}`);
    const cap = ex.totals.contractCap?.binds ? `, after the cap per contract of ${moneyText(ex.totals.contractCap.cap, ir.currency)}` : "";
    subs.push({
      title: "Totals of the examples",
      blocks: [para(S(`In all, the examples are paid ${moneyText(ex.totals.paid, ir.currency)}${cap}${payers.length > 1 ? `: ${joinList(payers)}` : ""}${ex.totals.withheld !== "0.00" ? `, of which ${moneyText(ex.totals.withheld, ir.currency)} is withheld` : ""}.`, c.titleSpan))],
      sections: [],
    });
  }
  if (several || c.versions.length > 1) {
    blocks.unshift(para(S(`These examples are computed under ${versionLabel(version)}${version.otherVersions.size ? `, with each payment under the version in force on its deadline` : ""}, as if those terms applied for the whole term.`, version.ir.ast.version?.span ?? c.titleSpan)));
  }
  const title = several ? `Worked examples under version ${version.version ?? "as first written"}` : "Worked examples";
  return {
    number: letter,
    title,
    schedule: true,
    ...(version.version !== undefined ? { version: version.version } : {}),
    blocks,
    sections: subs.map((sub, i) => ({ ...sub, number: `${letter}.${i + 1}` })),
  };
}

function cohortResults(results: CohortResult[], c: Ctx): Block[] {
  const { ir } = c;
  const blocks: Block[] = [];
  for (const co of ir.cohorts) {
    const rs = results.filter((r) => r.clause === co.id);
    if (!rs.length) continue;
    const names = Object.keys(rs[0]!.values);
    blocks.push({
      type: "table",
      caption: quote(co.name),
      header: [co.over ? capitalize(humanize(co.over.period ?? "period")) : "Cohort", ...names.map(humanTerm), "Result", "Payment"],
      rows: rs.map((r) => [
        { text: r.period ?? "whole cohort", span: co.decl.span },
        ...names.map((n) => ({ text: /^-?\d+\.\d{2}$/.test(r.values[n] ?? "") ? moneyText(r.values[n]!, ir.currency) : r.values[n] ?? "" })),
        { text: r.status === "met" ? "paid" : r.status === "missing" ? "not paid: value missing" : "not met" },
        { text: moneyText(r.paid, ir.currency) },
      ]),
    });
  }
  return blocks;
}

function escalationResults(results: EscalationResult[], c: Ctx): Block[] {
  const { ir } = c;
  const blocks: Block[] = [];
  for (const e of results) {
    const esc = ir.escalations.find((x) => x.name === e.name);
    if (!esc || !e.checkpoints.length) continue;
    const ctx = escalationCtx(ir, esc);
    const measures = Object.keys(e.checkpoints[0]!.measures);
    blocks.push({
      type: "table",
      caption: `Checkpoints of ${quote(e.name)}`,
      header: ["Checkpoint", ...measures.map(humanTerm), "Level", "Actions", "Withholding in force", "Termination right"],
      rows: e.checkpoints.map((cp) => {
        const lv = esc.decl.levels.find((l) => Number(l.level.value) === cp.level);
        const actions = lv ? capitalize(lv.actions.map((a) => actionText(a, ctx, ir)).join("; ")) : "none";
        const hold = cp.withholding ? capitalize(withholdingText(esc.decl, ctx, cp.withholding)) : "none";
        return [
          { text: cp.period, ...(lv ? { span: lv.span } : {}) },
          ...measures.map((mm) => ({ text: cp.measures[mm] ?? "" })),
          { text: cp.level === 0 ? "none" : String(cp.level) },
          { text: actions || "none" },
          { text: hold },
          { text: cp.terminationRight ? "yes" : "no" },
        ];
      }),
    });
  }
  return blocks;
}

/** The withholding in force, from the engine's description ("withhold 10% of milestone payments …"). */
function withholdingText(d: A.EscalationDecl, ctx: EnglishContext, described: string): string {
  const all = d.levels.flatMap((l) => l.actions).filter((a): a is A.WithholdAction => a.$type === "WithholdAction");
  const w = all.find((a) => described.startsWith(`withhold ${a.percent.value}% of ${a.of === "all" ? "all" : a.of} payments`)) ?? all[0];
  return w ? withholdText(w, ctx) : described;
}

export { partiesTerm };
