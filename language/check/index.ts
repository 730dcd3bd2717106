/**
 * The check stage: from AST to ContractIR.
 *
 * Input: the `Contract` AST. Output: `{ value: ContractIR | undefined, diagnostics }`.
 * Resolves names (fields, metrics, conditions, clauses, parties, data sets, populations),
 * types every expression (`types.ts`), and applies the contract rules (`rules.ts`):
 * deadlines inside the term, percentages up to 100%, tiers, missing-value rules, caps,
 * funding shares. The IR is built even when there are errors, so the editor can still
 * offer completion and outlines; callers must not run a contract with errors.
 */
import { productDegree } from "./degree.ts";
import type * as A from "../ast.ts";
import { clauseId } from "../ast.ts";
import { diag } from "../diagnostics/codes.ts";
import type { Diagnostic } from "../diagnostics/types.ts";
import { DEFAULT_ROUNDING, type ContractIR, type DataSetIR, type FieldInfo, type Ty } from "./ir.ts";
import { checkAmendmentEffects } from "./amend-effects.ts";
import { versions, type Version } from "./amend.ts";
import { checkReadings } from "./readings.ts";
import { checkRules } from "./rules.ts";
import { ExprChecker, resetNesting, type EventScopes, type NameInfo, type Scope } from "./types.ts";

export interface CheckOutput {
  value: ContractIR | undefined;
  diagnostics: Diagnostic[];
}

/** A usable contract identifier (`id "…"`): 1 to 64 letters, digits, `-`, `_` or `.`, starting with a letter or digit. */
export const CONTRACT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const fieldTy = (t: A.FieldTypeName): Ty => t;

function mapScope(map: Map<string, NameInfo>, parent?: Scope, extra: Partial<Scope> = {}): Scope {
  return {
    lookup: (name) => map.get(name) ?? parent?.lookup(name),
    names: () => [...map.keys(), ...(parent?.names() ?? [])],
    rows: extra.rows ?? parent?.rows,
    clauses: extra.clauses ?? parent?.clauses,
    populations: extra.populations ?? parent?.populations,
    events: extra.events ?? parent?.events,
  };
}

/** The names one row of a data set reads: its fields, and its key and period columns as text. */
function rowScope(ds: DataSetIR): Map<string, NameInfo> {
  const names = new Map(ds.fields.map((f) => [f.name, { type: fieldTy(f.type), missing: f.optional ? new Set([f.name]) : new Set<string>(), kind: "field" as const, span: f.decl.name.span }]));
  // `count where (deliverable = "roster")`
  for (const col of [ds.key, ds.period]) if (col && !names.has(col)) names.set(col, { type: "text", missing: new Set<string>(), kind: "field" as const, span: (ds.decl.period ?? ds.decl.key ?? ds.decl.name).span });
  return names;
}

export function checkContract(contract: A.Contract): CheckOutput {
  resetNesting();
  const diagnostics: Diagnostic[] = [];
  const all = versions(contract, diagnostics);
  const ir = checkVersion(all[0]!, diagnostics);
  let previous: string | undefined;
  for (const v of all.slice(1)) {
    const am = v.amendment!;
    const inside = (d: Diagnostic) => d.primary.span.start >= am.span.start && d.primary.span.end <= am.span.end;
    const own: Diagnostic[] = [];
    const amended = checkVersion(v, own);
    // report what the amendment breaks: problems inside it, and new problems it causes elsewhere
    const key = (d: Diagnostic) => `${d.code}:${d.primary.span.start}:${d.primary.span.end}`;
    const known = new Set(diagnostics.map(key));
    for (const d of own) {
      if (inside(d)) {
        if (!known.has(key(d))) diagnostics.push(d);
      } else if (!known.has(key(d))) {
        d.related.push({ span: am.span, label: `under amendment ${am.version.value}` });
        diagnostics.push(d);
        known.add(key(d));
      }
    }
    if (ir.term && (am.effective.value < ir.term.start || am.effective.value > ir.term.end)) {
      diagnostics.push(diag("OBC4017", { date: am.effective.value, start: ir.term.start, end: ir.term.end }, { span: am.effective.span, label: "outside the term" }));
    }
    if (previous && am.effective.value < previous) {
      diagnostics.push(diag("OBC4018", { version: am.version.value, date: am.effective.value, previous }, { span: am.effective.span, label: "out of order" }));
    }
    previous = am.effective.value;
    ir.amendments.push({ version: am.version.value, effective: am.effective.value, decl: am, ir: amended });
  }
  checkAmendmentEffects(all, diagnostics);
  return { value: ir, diagnostics };
}

function checkVersion(v: Version, diagnostics: Diagnostic[]): ContractIR {
  const ir = buildIR(v.contract, diagnostics, v.identity);
  checkNames(ir, diagnostics);
  checkRules(ir, diagnostics);
  checkReadings(ir, diagnostics);
  return ir;
}

/** Collects declarations into the IR, reporting duplicates. */
function buildIR(c: A.Contract, diagnostics: Diagnostic[], identity: Version["identity"]): ContractIR {
  const seenSection = new Map<string, A.Item>();
  const once = (item: A.Item, section: string): boolean => {
    if (seenSection.has(section)) {
      diagnostics.push(diag("OBC1008", { section }, { span: item.span, label: `a second ${section}` }, {
        related: [{ span: seenSection.get(section)!.span, label: `the first ${section}` }],
      }));
      return false;
    }
    seenSection.set(section, item);
    return true;
  };
  if (c.id && !CONTRACT_ID.test(c.id.value)) {
    diagnostics.push(diag("OBC2024", { id: JSON.stringify(c.id.value) }, { span: c.id.span, label: "not a usable identifier" }));
  }
  const ir: ContractIR = {
    title: c.title.value,
    ...(c.id ? { id: c.id.value } : {}),
    version: c.version?.value,
    ast: c,
    parties: [],
    currency: "USD",
    rounding: DEFAULT_ROUNDING,
    dataSets: [],
    fields: new Map(),
    metrics: new Map(),
    populations: {},
    clauses: [],
    cohorts: [],
    settlement: [],
    escalations: [],
    routines: [],
    governance: [],
    tracked: [],
    weights: [],
    eventAggregates: [],
    amendments: [],
  };
  const taken = new Map<string, A.Span>();
  const declareName = (name: A.Ident) => {
    const prev = taken.get(name.name);
    if (prev) {
      diagnostics.push(diag("OBC2004", { name: `'${name.name}'` }, { span: name.span, label: "declared again here" }, { related: [{ span: prev, label: "first declared here" }] }));
      return false;
    }
    taken.set(name.name, name.span);
    return true;
  };
  const clauseNames = new Map<string, A.Span>();
  /** by output id, so that "Algebra ready" and "algebra-ready" are caught as the same clause */
  const clauseIds = new Map<string, A.Span>();
  for (const item of c.items) {
    switch (item.$type) {
      case "PartiesDecl":
        if (!once(item, "parties section")) break;
        for (const p of item.parties) {
          const id = p.alias?.name ?? p.role.name;
          const dup = ir.parties.find((q) => q.id === id);
          if (dup) {
            diagnostics.push(diag("OBC2004", { name: `'${id}'` }, { span: (p.alias ?? p.role).span, label: "another party with this name" }, {
              related: [{ span: dup.decl.span, label: "first declared here" }],
              helpParams: {},
            }));
            continue;
          }
          ir.parties.push({ id, role: p.role.name, name: p.name.value, decl: p });
        }
        break;
      case "TermDecl":
        if (once(item, "term")) ir.term = { start: item.start.value, end: item.end.value };
        break;
      case "CurrencyDecl":
        if (once(item, "currency")) {
          ir.currency = item.code.name;
          if (!/^[A-Z]{3}$/.test(item.code.name)) {
            diagnostics.push(diag("OBC3007", { code: item.code.name }, { span: item.code.span, label: "not a currency code" }));
          }
        }
        break;
      case "RoundingDecl":
        if (once(item, "rounding rule")) ir.rounding = item.rounding;
        break;
      case "DataDecl": {
        if (ir.dataSets.some((d) => d.name === item.name.name)) {
          const prev = ir.dataSets.find((d) => d.name === item.name.name)!;
          diagnostics.push(diag("OBC2004", { name: `'${item.name.name}'` }, { span: item.name.span, label: "declared again here" }, { related: [{ span: prev.decl.name.span, label: "first declared here" }] }));
          break;
        }
        const kind = item.per ? "events" : item.period ? (item.key ? "student-period" : "period") : "student";
        if (item.per && item.period) diagnostics.push(diag("OBC2805", { name: `'${item.name.name}'` }, { span: item.period.span, label: "a period as well as one row per event" }));
        const ds: DataSetIR = {
          name: item.name.name,
          kind,
          key: kind === "period" ? undefined : (item.key?.name ?? "student_id"),
          period: kind === "events" ? undefined : item.period?.name,
          ...(item.dated ? { dated: item.dated.name } : {}),
          roster: kind === "student" && !ir.dataSets.some((d) => d.kind === "student"),
          fields: [],
          decl: item,
        };
        const local = new Set<string>();
        for (const f of item.fields) {
          if (local.has(f.name.name) || f.name.name === ds.key || f.name.name === ds.period) {
            const first = item.fields.find((x) => x.name.name === f.name.name);
            const related = first && first !== f ? [{ span: first.name.span, label: "first declared here" }] : [];
            diagnostics.push(diag("OBC2004", { name: `'${f.name.name}'` }, { span: f.name.span, label: "declared again here" }, { related }));
            continue;
          }
          local.add(f.name.name);
          const info: FieldInfo = { name: f.name.name, type: f.type, optional: f.optional, dataSet: ds.name, decl: f };
          ds.fields.push(info);
          if (kind === "student") {
            if (declareName(f.name)) ir.fields.set(f.name.name, info);
          }
        }
        if (item.dated && !ds.fields.some((f) => f.name === item.dated!.name && f.type === "date")) {
          diagnostics.push(diag("OBC2806", { name: `'${item.dated.name}'`, set: `'${item.name.name}'` }, { span: item.dated.span, label: "not a date field of this data set" }));
          delete ds.dated;
        }
        ir.dataSets.push(ds);
        break;
      }
      case "MetricDecl":
        if (declareName(item.name)) ir.metrics.set(item.name.name, item);
        break;
      case "PopulationDecl":
        if (ir.populations[item.which]) {
          diagnostics.push(diag("OBC1008", { section: `definition of ${item.which} students` }, { span: item.span, label: "defined again" }, { related: [{ span: ir.populations[item.which]!.span, label: "first definition" }] }));
        } else ir.populations[item.which] = item;
        break;
      case "PaymentClause": {
        const prev = clauseIds.get(clauseId(item.name.value));
        if (prev) {
          diagnostics.push(diag("OBC2004", { name: `"${item.name.value}"` }, { span: item.name.span, label: "a second clause with this name" }, { related: [{ span: prev, label: "first clause with this name" }] }));
          break;
        }
        clauseNames.set(item.name.value, item.name.span);
        clauseIds.set(clauseId(item.name.value), item.name.span);
        ir.clauses.push({ id: clauseId(item.name.value), name: item.name.value, key: identity.get(item) ?? item.name.value, kind: item.kind, decl: item, weights: [], caps: [] });
        break;
      }
      case "CohortClause": {
        const prev = clauseNames.get(item.name.value);
        if (prev) {
          diagnostics.push(diag("OBC2004", { name: `"${item.name.value}"` }, { span: item.name.span, label: "a second clause with this name" }, { related: [{ span: prev, label: "first clause with this name" }] }));
          break;
        }
        clauseNames.set(item.name.value, item.name.span);
        ir.cohorts.push({ id: clauseId(item.name.value), name: item.name.value, key: identity.get(item) ?? item.name.value, decl: item });
        break;
      }
      case "WeightDecl":
        ir.weights.push(item);
        break;
      case "CapDecl":
        if (item.scope === "student") {
          if (once(item, "cap per student")) ir.studentCap = item;
        } else if (item.scope === "contract") {
          if (once(item, "cap per contract")) ir.contractCap = item;
        }
        break;
      case "FloorDecl":
        if (once(item, "floor")) ir.floor = item;
        break;
      case "FundingDecl":
        if (once(item, "funding section")) {
          ir.funding = {
            decl: item,
            shares: item.shares.map((s) => ({ party: s.party.name, percent: s.percent, rounding: s.rounding ?? ir.rounding, decl: s })),
          };
        }
        break;
      case "SettlementDecl":
        ir.settlement.push(...item.dates.map((d) => d.value));
        break;
      case "EscalationDecl":
        ir.escalations.push({ name: item.name.value, decl: item });
        break;
      case "RoutinesDecl":
        ir.routines.push(...item.routines);
        break;
      case "GovernanceDecl":
        ir.governance.push(...item.items);
        break;
      case "TrackDecl":
        ir.tracked.push(item);
        break;
    }
  }
  // a data set's key and period columns are names the rows carry: a metric or condition may not take one
  for (const [name, m] of ir.metrics) {
    const ds = ir.dataSets.find((d) => d.key === name || d.period === name);
    if (!ds) continue;
    const column = ds.key === name ? ds.decl.key : ds.decl.period;
    diagnostics.push(diag("OBC2004", { name: `'${name}'` }, { span: m.name.span, label: "declared again here" }, { related: column ? [{ span: column.span, label: `the ${ds.key === name ? "key" : "period"} column of ${ds.name}` }] : [] }));
  }
  // funding shares default to the contract rounding once it is known
  if (ir.funding) for (const s of ir.funding.shares) s.rounding = s.decl.rounding ?? ir.rounding;
  return ir;
}

/** Resolves and types every expression of the contract. */
function checkNames(ir: ContractIR, diagnostics: Diagnostic[]): void {
  const clauseNames = new Set(ir.clauses.map((c) => c.name));
  const populations = new Set(Object.keys(ir.populations));
  // student scope: fields, then metrics (typed lazily, with cycle detection)
  const studentNames = new Map<string, NameInfo>();
  for (const f of ir.fields.values()) {
    studentNames.set(f.name, {
      type: fieldTy(f.type),
      missing: f.optional ? new Set([f.name]) : new Set(),
      kind: "field",
      span: f.decl.name.span,
    });
  }
  const metricState = new Map<string, "busy" | NameInfo>();
  const exprChecker = new ExprChecker(diagnostics);
  let studentScope: Scope;
  const lookupMetric = (name: string): NameInfo | undefined => {
    const m = ir.metrics.get(name);
    if (!m) return undefined;
    const st = metricState.get(name);
    if (st === "busy") {
      diagnostics.push(diag("OBC2009", { name: `'${name}'` }, { span: m.name.span, label: "defined in terms of itself" }));
      const info: NameInfo = { type: "error", missing: new Set(), kind: m.kind === "condition" ? "condition" : "metric", span: m.name.span };
      metricState.set(name, info);
      return info;
    }
    if (st) return st;
    metricState.set(name, "busy");
    const { value: typed, depth } = exprChecker.measure(() => (m.kind === "condition" ? exprChecker.condition(m.expr, studentScope) : exprChecker.expr(m.expr, studentScope)));
    const info: NameInfo = { type: typed.type, missing: typed.missing, kind: m.kind === "condition" ? "condition" : "metric", span: m.name.span, depth };
    // the names it reads were typed with it: their degrees are known (none is typed again here)
    if (typed.type !== "error") info.degree = productDegree(m.expr, (n) => { const s = metricState.get(n); return s && s !== "busy" ? s.degree : undefined; });
    if (metricState.get(name) === "busy") metricState.set(name, info);
    return metricState.get(name) as NameInfo;
  };
  // the rows of each data set of events, for `count of sessions where (…)`
  const events: EventScopes = { sets: new Map(), calendars: new Set(), found: ir.eventAggregates };
  for (const ds of ir.dataSets) {
    if (ds.kind === "period") events.calendars.add(ds.name);
    if (ds.kind !== "events") continue;
    events.sets.set(ds.name, { scope: mapScope(rowScope(ds)), ...(ds.dated ? { dated: ds.dated } : {}) });
  }
  // metrics, conditions, groups and weights are decided before any clause: no clause references there
  studentScope = {
    lookup: (name) => studentNames.get(name) ?? lookupMetric(name),
    names: () => [...studentNames.keys(), ...ir.metrics.keys()],
    populations,
    events,
  };
  for (const name of ir.metrics.keys()) lookupMetric(name);
  const clauseScope: Scope = { ...studentScope, clauses: clauseNames };

  for (const which of ["eligible", "identified", "served"] as const) {
    const p = ir.populations[which];
    if (!p) continue;
    const t = exprChecker.condition(p.condition, studentScope);
    for (const f of t.missing) {
      diagnostics.push(diag("OBC4015", { field: `'${f}'`, population: which }, { span: p.condition.span, label: `reads '${f}'` }, { helpParams: { field: f } }));
    }
  }
  if (ir.populations.eligible && ir.populations.identified) {
    diagnostics.push(diag("OBC1008", { section: "rule saying which students are eligible (eligible and identified mean the same)" }, { span: ir.populations.identified.whichSpan, label: "second eligibility rule" }, {
      related: [{ span: ir.populations.eligible.whichSpan, label: "first eligibility rule" }],
    }));
  }

  for (const clause of ir.clauses) {
    const d = clause.decl;
    const ec = new ExprChecker(diagnostics, clause.name);
    const missing = new Set<string>();
    const add = (s: Set<string>) => s.forEach((x) => missing.add(x));
    if (d.population !== "all" && !populations.has(d.population)) {
      diagnostics.push(diag("OBC2007", { population: d.population }, { span: d.populationSpan, label: `${d.population} students are not defined` }, { clause: clause.name }));
    }
    if (d.condition) add(ec.condition(d.condition, clauseScope).missing);
    if (d.amount.$type === "FixedAmount") add(ec.money(d.amount.amount, clauseScope).missing);
    else {
      for (const t of d.amount.tiers) {
        if (t.condition) add(ec.condition(t.condition, clauseScope).missing);
        add(ec.money(t.amount, clauseScope).missing);
      }
    }
    if (missing.size > 0 && !d.missing) {
      const first = [...missing][0]!;
      diagnostics.push(diag("OBC4006", { field: `'${first}'` }, { span: d.name.span, label: `reads '${first}', which may be missing` }, {
        clause: clause.name,
        helpParams: { field: first },
      }));
    }
    if (missing.size === 0 && d.missing && !d.origin) {
      diagnostics.push(diag("OBC4014", {}, { span: d.missing.span, label: "nothing here can be missing" }, { clause: clause.name }));
    }
  }

  checkClauseCycles(ir, diagnostics);

  for (const w of ir.weights) {
    const t = exprChecker.condition(w.condition, studentScope);
    for (const f of t.missing) {
      diagnostics.push(diag("OBC4015", { field: `'${f}'`, population: "weighted" }, { span: w.condition.span, label: `reads '${f}'` }, { helpParams: { field: f } }));
    }
    for (const name of w.clauses) {
      const c = ir.clauses.find((x) => x.name === name.value);
      if (!c) {
        exprChecker.expr({ $type: "ClauseRef", name: name.value, span: name.span }, clauseScope);
        continue;
      }
      c.weights.push(w);
    }
  }

  for (const cap of ir.ast.items) {
    if (cap.$type !== "CapDecl" || cap.scope !== "clause" || !cap.clause) continue;
    const c = ir.clauses.find((x) => x.name === cap.clause!.value);
    if (!c) exprChecker.expr({ $type: "ClauseRef", name: cap.clause.value, span: cap.clause.span }, clauseScope);
    else c.caps.push(cap);
  }

  const dataSet = (name: A.Ident | undefined, want: "period" | "any"): DataSetIR | undefined => {
    if (!name) return undefined;
    const ds = ir.dataSets.find((d) => d.name === name.name);
    if (!ds) {
      diagnostics.push(diag("OBC2005", { name: `'${name.name}'`, sets: ir.dataSets.map((d) => d.name).join(", ") || "(none declared)" }, { span: name.span, label: "no such data set" }));
      return undefined;
    }
    if (want === "period" && !ds.period) {
      diagnostics.push(diag("OBC2010", { name: `'${name.name}'` }, { span: name.span, label: "no period" }));
      return undefined;
    }
    return ds;
  };

  for (const cohort of ir.cohorts) {
    const d = cohort.decl;
    const ec = new ExprChecker(diagnostics, cohort.name);
    let base: Scope;
    if (d.over) {
      const ds = dataSet(d.over, "period");
      cohort.over = ds;
      const rows = ds ? mapScope(rowScope(ds)) : mapScope(new Map());
      base = mapScope(new Map(), undefined, { rows: { kind: "period", scope: rows }, clauses: clauseNames, populations });
    } else {
      base = mapScope(new Map(), undefined, { rows: { kind: "students", scope: clauseScope }, clauses: clauseNames, populations });
    }
    const lets = new Map<string, NameInfo>();
    const scope = mapScope(lets, base);
    for (const l of d.lets) {
      const { value: t, depth } = ec.measure(() => ec.expr(l.expr, scope));
      if (lets.has(l.name.name)) {
        diagnostics.push(diag("OBC2004", { name: `'${l.name.name}'` }, { span: l.name.span, label: "declared again here" }));
      }
      lets.set(l.name.name, { type: t.type, missing: t.missing, kind: "let", span: l.name.span, depth, degree: productDegree(l.expr, (n) => scope.lookup(n)?.degree) });
    }
    ec.money(d.amount, scope);
    if (d.condition) ec.condition(d.condition, scope);
  }

  for (const esc of ir.escalations) {
    const d = esc.decl;
    let ds = dataSet(d.over, "period");
    if (ds && ds.kind === "student-period") {
      diagnostics.push(diag("OBC2010", { name: `'${ds.name}'` }, { span: d.over.span, label: "one row per student and period" }, {
        clause: esc.name,
      }));
      ds = undefined;
    }
    esc.over = ds;
    const ec = new ExprChecker(diagnostics);
    const names = ds ? rowScope(ds) : new Map<string, NameInfo>();
    // when the data set is unknown (already reported), its fields are not reported again
    const unknownRows: Scope = { lookup: () => ({ type: "error", missing: new Set(), kind: "field", span: d.over.span }), names: () => [] };
    const scope = mapScope(names, ds ? undefined : unknownRows, { clauses: clauseNames, populations });
    for (const m of d.measures) {
      const { value: t, depth } = ec.measure(() => ec.expr(m.expr, scope));
      if (names.has(m.name.name)) diagnostics.push(diag("OBC2004", { name: `'${m.name.name}'` }, { span: m.name.span, label: "declared again here" }));
      names.set(m.name.name, { type: t.type, missing: t.missing, kind: "measure", span: m.name.span, depth, degree: productDegree(m.expr, (n) => scope.lookup(n)?.degree) });
    }
    for (const level of d.levels) {
      ec.condition(level.condition, scope);
      for (const a of level.actions) if (a.$type === "WithholdAction" && a.until) ec.condition(a.until, scope);
    }
  }
}

/** Clauses whose conditions refer to each other in a circle can never be decided. */
function checkClauseCycles(ir: ContractIR, diagnostics: Diagnostic[]): void {
  const refs = new Map<string, { name: string; span: A.Span }[]>();
  const collect = (e: unknown, out: { name: string; span: A.Span }[]): void => {
    if (Array.isArray(e)) return e.forEach((x) => collect(x, out));
    if (!e || typeof e !== "object") return;
    const n = e as Record<string, unknown>;
    if (n["$type"] === "ClauseRef") out.push({ name: n["name"] as string, span: n["span"] as A.Span });
    for (const [k, v] of Object.entries(n)) if (k !== "span") collect(v, out);
  };
  for (const c of ir.clauses) {
    const out: { name: string; span: A.Span }[] = [];
    collect([c.decl.condition, c.decl.amount], out);
    refs.set(c.name, out);
  }
  const reported = new Set<string>();
  /** clauses in a cycle already reported: a search from them finds nothing new worth reporting */
  const covered = new Set<string>();
  const inCycle = clausesInCycles(refs);
  for (const start of ir.clauses) {
    if (!inCycle.has(start.name) || covered.has(start.name)) continue;
    // depth-first search for a path back to `start`, in the order the references are written,
    // with an explicit stack (a chain of thousands of clauses costs no recursion)
    const path: string[] = [];
    const seen = new Set<string>();
    const stack: { name: string; next: number }[] = [{ name: start.name, next: 0 }];
    let found = false;
    while (stack.length > 0 && !found) {
      const top = stack[stack.length - 1]!;
      const out = refs.get(top.name) ?? [];
      if (top.next >= out.length) {
        stack.pop();
        continue;
      }
      const r = out[top.next++]!;
      if (r.name === start.name) {
        found = true;
        break;
      }
      if (seen.has(r.name) || !inCycle.has(r.name)) continue;
      seen.add(r.name);
      stack.push({ name: r.name, next: 0 });
    }
    if (!found) continue;
    path.push(...stack.map((f) => f.name).reverse());
    const cycle = [...path.reverse(), start.name];
    const key = [...new Set(cycle)].sort().join("|");
    if (reported.has(key)) continue;
    reported.add(key);
    for (const n of cycle) covered.add(n);
    const ref = refs.get(start.name)!.find((r) => cycle.includes(r.name))!;
    diagnostics.push(
      diag("OBC2022", { cycle: cycle.map((n) => `"${n}"`).join(" → ") }, { span: ref.span, label: "refers back to this clause" }, { clause: start.name }),
    );
  }
}

/**
 * The clauses that lie on a cycle of references (Tarjan's strongly connected components,
 * with an explicit stack): only a search from one of them can lead back to where it began.
 */
function clausesInCycles(refs: Map<string, { name: string }[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const sccStack: string[] = [];
  const out = new Set<string>();
  let counter = 0;
  const edgesOf = new Map([...refs].map(([name, out]) => [name, out.map((r) => r.name).filter((r) => refs.has(r))]));
  for (const root of refs.keys()) {
    if (index.has(root)) continue;
    const work: { name: string; next: number }[] = [{ name: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    sccStack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const edges = edgesOf.get(top.name)!;
      if (top.next < edges.length) {
        const w = edges[top.next++]!;
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          sccStack.push(w);
          onStack.add(w);
          work.push({ name: w, next: 0 });
        } else if (onStack.has(w)) low.set(top.name, Math.min(low.get(top.name)!, index.get(w)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.name, Math.min(low.get(parent.name)!, low.get(top.name)!));
      if (low.get(top.name) === index.get(top.name)) {
        const component: string[] = [];
        let w: string;
        do {
          w = sccStack.pop()!;
          onStack.delete(w);
          component.push(w);
        } while (w !== top.name);
        const selfLoop = (refs.get(top.name) ?? []).some((r) => r.name === top.name);
        if (component.length > 1 || selfLoop) for (const c of component) out.add(c);
      }
    }
  }
  return out;
}
