/**
 * The portfolio file: which contracts (district × provider pairs) an intermediary manages, and
 * where each contract's data drops are.
 *
 *   loadPortfolio(path) → { portfolio?, problems }
 *
 * A portfolio is a JSON file (`portfolio.json`), validated with zod; every problem names the
 * file, line and column of the value it is about. Paths are relative to the file's folder.
 *
 * ```json
 * {
 *   "format": "obc.portfolio/1",
 *   "name": "Tri-County Tutoring Initiative 2026-27",
 *   "intermediary": "Tri-County Learning Partnership",
 *   "minCell": 10,
 *   "districts": [{ "id": "lakeview", "name": "Lakeview Unified School District" }],
 *   "providers": [{ "id": "brightpath", "name": "Bright Path Tutoring" }],
 *   "contracts": [{
 *     "id": "lakeview-brightpath", "district": "lakeview", "provider": "brightpath",
 *     "contract": "contracts/lakeview-brightpath.obc",
 *     "drops": "drops/lakeview-brightpath",
 *     "providerSees": "pseudonyms"
 *   }]
 * }
 * ```
 *
 * Drops. Each contract's drops folder holds one folder per drop, named by the drop's id
 * (`2026-10`, `2026-10-corrected`), with the data files and a manifest `drop.json`:
 *
 * ```json
 * { "asOf": "2026-10-31", "received": "2026-11-03T15:00:00Z", "suppliedBy": "Lakeview Unified School District",
 *   "files": { "students": "students.csv", "checkpoints": "checkpoints.csv" },
 *   "supersedes": "2026-10", "reason": "first-session dates were the scheduled dates" }
 * ```
 *
 * `asOf` is the day the data describe (the run's clock when the drop is settled); `received` is
 * when the intermediary got it; a drop that `supersedes` another replaces it (a correction) and
 * must say why. Each contract's district and provider must be the contract's own parties (the
 * names must match the `.obc` file), and each contract needs its own identity (its `id "…"`,
 * else one derived from its title, parties and term), since the ledger keeps each contract's
 * drops and payments under it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { z } from "zod";
import { renderText } from "../../language/diagnostics/render.ts";
import { didYouMean } from "../../language/diagnostics/suggest.ts";
import { compileSource } from "../../language/driver.ts";
import type { ContractIR } from "../../language/check/ir.ts";
import { nodeResolver } from "../../stdlib/node-resolver.ts";
import { isIsoDate } from "../cli-support.ts";
import { contractIdentity } from "../ledger/index.ts";
import { parseLocated, showPath, type JsonPath } from "./located-json.ts";

export const PORTFOLIO_FORMAT = "obc.portfolio/1";
/** The manifest file in each drop's folder. */
export const DROP_MANIFEST = "drop.json";
/** At most this many drops per contract are read (bounded work). */
export const MAX_DROPS = 1000;

// ───────────────────────────── schemas ─────────────────────────────

const Id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "an id is lower-case letters, digits and hyphens, e.g. lakeview-brightpath");
const DropId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "a drop id is letters, digits, '.', '_' and '-', e.g. 2026-10");
const Name = z.string().trim().min(1, "give a name").max(200);
const IsoDate = z.string().refine(isIsoDate, "write the date as YYYY-MM-DD, e.g. 2026-10-31");
const IsoDateTime = z
  .string()
  .refine((s) => isIsoDate(s.slice(0, 10)) && (s.length === 10 || (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)))), {
    message: "write a date (2026-11-03) or a date and time with its zone (2026-11-03T15:00:00Z)",
  });
const RelPath = z
  .string()
  .min(1)
  .max(500)
  .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p) && !p.split(/[\\/]/).includes(".."), "a path relative to the portfolio's folder, without '..'");
const FileName = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => !/[\\/]/.test(p) && p !== "." && p !== "..", "a file name in the drop's folder (no folders)");
const Dist = z.object({ mean: z.number().finite(), sd: z.number().finite().min(0) }).strict();

/** What the forecast assumes about outcomes not yet measured (see forecast.ts). */
export const AssumptionsSchema = z
  .object({
    growth: Dist.optional().describe("growth over the year of a student, in score points"),
    growthUncertainty: z.number().finite().min(0).optional().describe("how uncertain the contract's mean growth is (sd, score points)"),
    missing: z.number().min(0).max(1).optional().describe("the share of end-of-year values that will be missing"),
    paceUncertainty: z.number().finite().min(0).max(1).optional().describe("how uncertain the future pace of sessions and hours is (sd of a factor around 1)"),
    servicesEnd: IsoDate.optional().describe("the last day of tutoring: sessions and hours stop growing then (default the end of the term)"),
  })
  .strict();
export type Assumptions = z.infer<typeof AssumptionsSchema>;

const ContractEntrySchema = z
  .object({
    id: Id,
    district: Id,
    provider: Id,
    contract: RelPath.describe("the contract (.obc)"),
    drops: RelPath.optional().describe("the folder of the contract's drops (default drops/<id>)"),
    providerSees: z.enum(["student-ids", "pseudonyms"]).optional().describe("what a provider's view shows for students (default student-ids)"),
    forecast: AssumptionsSchema.optional(),
  })
  .strict();

export const PortfolioSchema = z
  .object({
    format: z.literal(PORTFOLIO_FORMAT),
    name: Name,
    intermediary: Name.optional(),
    minCell: z.number().int().min(1).max(10_000).optional().describe("the fewest students a published figure may describe (default 10)"),
    forecast: AssumptionsSchema.optional(),
    districts: z.array(z.object({ id: Id, name: Name }).strict()).min(1).max(1000),
    providers: z.array(z.object({ id: Id, name: Name }).strict()).min(1).max(1000),
    contracts: z.array(ContractEntrySchema).min(1).max(1000),
  })
  .strict();
export type PortfolioFile = z.infer<typeof PortfolioSchema>;

export const DropManifestSchema = z
  .object({
    asOf: IsoDate.describe("the day the data describe"),
    received: IsoDateTime.describe("when the drop was received"),
    suppliedBy: Name.describe("who supplied the drop"),
    files: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a data set name of the contract"), FileName).refine((f) => Object.keys(f).length > 0, "name at least one file"),
    supersedes: DropId.optional().describe("the drop this one corrects"),
    reason: Name.optional().describe("why this drop corrects the one it supersedes"),
  })
  .strict()
  .refine((d) => d.supersedes === undefined || d.reason !== undefined, { message: "a drop that supersedes another must give its reason (add \"reason\")", path: ["supersedes"] })
  .refine((d) => d.asOf <= d.received.slice(0, 10), { message: "a drop cannot describe a day after the day it was received", path: ["asOf"] });

// ───────────────────────────── the loaded portfolio ─────────────────────────────

export interface Party {
  id: string;
  name: string;
}

export interface DropFile {
  /** the contract's data set */
  dataSet: string;
  /** the path relative to the portfolio's folder (the file's name in the ledger and in messages) */
  label: string;
  path: string;
}

export interface Drop {
  id: string;
  contract: string;
  dir: string;
  asOf: string;
  received: string;
  suppliedBy: string;
  files: DropFile[];
  supersedes?: string;
  reason?: string;
}

export interface PortfolioContract {
  id: string;
  district: Party;
  provider: Party;
  /** the contract file as written in the portfolio */
  label: string;
  path: string;
  source: string;
  ir: ContractIR;
  title: string;
  /** the contract's identity in the ledger (its `id`, else derived from its title, parties and term) */
  identity: string;
  providerSees: "student-ids" | "pseudonyms";
  forecast: Assumptions;
  dropsDir: string;
  /** in the order they describe: by as-of date, then received, then id */
  drops: Drop[];
}

export interface Portfolio {
  file: string;
  dir: string;
  name: string;
  intermediary?: string;
  minCell: number;
  currency: string;
  districts: Party[];
  providers: Party[];
  contracts: PortfolioContract[];
}

export interface PortfolioProblem {
  severity: "error" | "warning";
  /** the file as shown to users */
  file: string;
  line?: number;
  column?: number;
  message: string;
  /** rendered diagnostics of a contract with errors */
  detail?: string;
}

export function renderProblem(p: PortfolioProblem): string {
  const at = p.line !== undefined ? `${p.file}:${p.line}:${p.column ?? 1}` : p.file;
  return `${at}: ${p.severity}: ${p.message}`;
}

/** The zod issue as one plain sentence with its path. */
function issueProblem(file: string, at: (p: JsonPath) => { line: number; column: number }, issue: z.core.$ZodIssue): PortfolioProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const where = showPath(path);
  let message: string;
  if (issue.code === "unrecognized_keys") {
    // point at the (first) unknown field's value
    return { severity: "error", file, ...at([...path, issue.keys[0]!]), message: `${where ? where + ": " : ""}unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")}` };
  } else if (issue.code === "invalid_type" && issue.input === undefined) {
    message = `${where} is required`;
  } else {
    message = `${where || "the file"}: ${issue.message}`;
  }
  return { severity: "error", file, ...at(path), message };
}

/** Problems of one file in the order of the text. */
const byPosition = (ps: PortfolioProblem[]) => ps.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));

const show = (dir: string, p: string) => relative(dir, p).split(sep).join("/") || ".";

/**
 * Reads and checks a portfolio file, its contracts and its drops' manifests. Every problem is
 * collected (nothing is thrown for bad input); `portfolio` is present when there are no errors.
 */
export function loadPortfolio(path: string, opts: { cwd?: string; label?: string } = {}): { portfolio?: Portfolio; problems: PortfolioProblem[] } {
  const file = resolve(opts.cwd ?? process.cwd(), path);
  const label = opts.label ?? path;
  const dir = dirname(file);
  const problems: PortfolioProblem[] = [];
  const err = (p: Omit<PortfolioProblem, "severity">) => problems.push({ severity: "error", ...p });

  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    err({ file: label, message: `cannot read the portfolio: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (code ?? "unreadable")}` });
    return { problems };
  }
  const parsed = parseLocated(text);
  if (!parsed.ok) {
    err({ file: label, line: parsed.line, column: parsed.column, message: `not valid JSON: ${parsed.message}` });
    return { problems };
  }
  const checked = PortfolioSchema.safeParse(parsed.value);
  if (!checked.success) {
    problems.push(...byPosition(checked.error.issues.map((issue) => issueProblem(label, parsed.at, issue))));
    return { problems };
  }
  const pf = checked.data;
  const at = (p: JsonPath) => parsed.at(p);

  const unique = (list: { id: string }[], what: string, key: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) err({ file: label, ...at([key, i, "id"]), message: `${key}[${i}].id: the ${what} id "${x.id}" is used twice` });
      seen.add(x.id);
    });
  };
  unique(pf.districts, "district", "districts");
  unique(pf.providers, "provider", "providers");
  unique(pf.contracts, "contract", "contracts");
  const districts = new Map(pf.districts.map((d) => [d.id, d]));
  const providers = new Map(pf.providers.map((p) => [p.id, p]));

  const contracts: PortfolioContract[] = [];
  const identities = new Map<string, string>();
  pf.contracts.forEach((c, i) => {
    const ref = (kind: "district" | "provider", map: Map<string, Party>): Party | undefined => {
      const v = map.get(c[kind]);
      if (!v) {
        const hint = didYouMean(c[kind], [...map.keys()]);
        err({ file: label, ...at(["contracts", i, kind]), message: `contracts[${i}].${kind}: there is no ${kind} "${c[kind]}" in ${kind}s${hint ? ` (did you mean "${hint}"?)` : ""}` });
      }
      return v;
    };
    const district = ref("district", districts);
    const provider = ref("provider", providers);

    const contractPath = resolve(dir, c.contract);
    const contractLabel = show(opts.cwd ?? process.cwd(), contractPath);
    let source: string;
    try {
      source = readFileSync(contractPath, "utf8").replace(/^\ufeff/, "");
    } catch (e) {
      const code = (e as { code?: string }).code;
      err({ file: label, ...at(["contracts", i, "contract"]), message: `contracts[${i}].contract: cannot read ${c.contract}: ${code === "ENOENT" ? "no such file" : (code ?? "unreadable")}` });
      return;
    }
    const compiled = compileSource(source, { resolver: nodeResolver(contractPath) });
    if (!compiled.ok || !compiled.ir) {
      const n = compiled.diagnostics.filter((d) => d.severity === "error").length;
      err({
        file: label,
        ...at(["contracts", i, "contract"]),
        message: `contracts[${i}].contract: ${c.contract} has ${n} error${n === 1 ? "" : "s"} (see obc check ${contractLabel})`,
        detail: renderText(compiled.diagnostics, source, contractLabel, { color: false }),
      });
      return;
    }
    const ir = compiled.ir;
    const partyName = (role: string) => ir.parties.find((p) => p.role === role)?.name;
    for (const [role, party] of [["district", district], ["provider", provider]] as const) {
      if (!party) continue;
      const named = partyName(role);
      if (named === undefined) {
        err({ file: label, ...at(["contracts", i, "contract"]), message: `contracts[${i}].contract: ${c.contract} names no ${role} among its parties` });
      } else if (named !== party.name) {
        err({
          file: label,
          ...at(["contracts", i, role]),
          message: `contracts[${i}].${role}: the contract's ${role} is "${named}", but ${role} "${party.id}" is "${party.name}"; use the same name in both`,
        });
      }
    }
    const identity = contractIdentity(ir).identity;
    const other = identities.get(identity);
    if (other !== undefined) {
      err({
        file: label,
        ...at(["contracts", i, "contract"]),
        message: `contracts[${i}].contract: ${c.contract} has the identity "${identity}" of ${other}; the ledger keeps each contract's payments under its identity, so give each contract its own id "…"`,
      });
    } else identities.set(identity, c.contract);

    const dropsDir = resolve(dir, c.drops ?? `drops/${c.id}`);
    const drops = loadDrops(c.id, dropsDir, ir, dir, opts.cwd ?? process.cwd(), problems);
    if (!district || !provider) return;
    contracts.push({
      id: c.id,
      district,
      provider,
      label: c.contract,
      path: contractPath,
      source,
      ir,
      title: ir.title,
      identity,
      providerSees: c.providerSees ?? "student-ids",
      forecast: { ...(pf.forecast ?? {}), ...(c.forecast ?? {}) },
      dropsDir,
      drops,
    });
  });

  const currencies = [...new Set(contracts.map((c) => c.ir.currency))];
  if (currencies.length > 1) {
    err({ file: label, ...at(["contracts"]), message: `the contracts use ${currencies.length} currencies (${currencies.join(", ")}); a portfolio's statements need one` });
  }
  if (problems.some((p) => p.severity === "error")) return { problems };
  return {
    portfolio: {
      file,
      dir,
      name: pf.name,
      ...(pf.intermediary !== undefined ? { intermediary: pf.intermediary } : {}),
      minCell: pf.minCell ?? 10,
      currency: currencies[0] ?? "USD",
      districts: pf.districts,
      providers: pf.providers,
      contracts,
    },
    problems,
  };
}

/** Reads every drop folder of one contract (a missing drops folder is a contract without drops yet). */
function loadDrops(contract: string, dropsDir: string, ir: ContractIR, root: string, cwd: string, problems: PortfolioProblem[]): Drop[] {
  if (!existsSync(dropsDir)) return [];
  let names: string[];
  try {
    names = readdirSync(dropsDir).filter((n) => {
      try {
        return statSync(join(dropsDir, n)).isDirectory();
      } catch {
        return false;
      }
    });
  } catch {
    problems.push({ severity: "error", file: show(cwd, dropsDir), message: "cannot read the drops folder" });
    return [];
  }
  names.sort();
  if (names.length > MAX_DROPS) {
    problems.push({ severity: "error", file: show(cwd, dropsDir), message: `the folder has ${names.length} drops; at most ${MAX_DROPS} are read` });
    return [];
  }
  const dataSets = new Set(ir.dataSets.map((d) => d.name));
  const drops: Drop[] = [];
  for (const id of names) {
    const ddir = join(dropsDir, id);
    const mlabel = show(cwd, join(ddir, DROP_MANIFEST));
    if (!DropId.safeParse(id).success) {
      problems.push({ severity: "error", file: show(cwd, ddir), message: `the drop folder's name "${id}" is not a drop id (letters, digits, '.', '_' and '-')` });
      continue;
    }
    let text: string;
    try {
      text = readFileSync(join(ddir, DROP_MANIFEST), "utf8");
    } catch {
      problems.push({ severity: "error", file: mlabel, message: `the drop ${id} has no readable ${DROP_MANIFEST}` });
      continue;
    }
    const parsed = parseLocated(text);
    if (!parsed.ok) {
      problems.push({ severity: "error", file: mlabel, line: parsed.line, column: parsed.column, message: `not valid JSON: ${parsed.message}` });
      continue;
    }
    const m = DropManifestSchema.safeParse(parsed.value);
    if (!m.success) {
      problems.push(...byPosition(m.error.issues.map((issue) => issueProblem(mlabel, parsed.at, issue))));
      continue;
    }
    const files: DropFile[] = [];
    let ok = true;
    for (const [dataSet, name] of Object.entries(m.data.files)) {
      if (!dataSets.has(dataSet)) {
        const hint = didYouMean(dataSet, [...dataSets]);
        problems.push({ severity: "error", file: mlabel, ...parsed.at(["files", dataSet]), message: `files.${dataSet}: the contract has no data set "${dataSet}"${hint ? ` (did you mean "${hint}"?)` : ""}` });
        ok = false;
        continue;
      }
      const p = join(ddir, name);
      if (!existsSync(p)) {
        problems.push({ severity: "error", file: mlabel, ...parsed.at(["files", dataSet]), message: `files.${dataSet}: ${name} is not in the drop's folder` });
        ok = false;
        continue;
      }
      files.push({ dataSet, label: show(root, p), path: p });
    }
    if (!ok) continue;
    drops.push({
      id,
      contract,
      dir: ddir,
      asOf: m.data.asOf,
      received: m.data.received,
      suppliedBy: m.data.suppliedBy,
      files,
      ...(m.data.supersedes !== undefined ? { supersedes: m.data.supersedes, reason: m.data.reason! } : {}),
    });
  }
  const ids = new Set(drops.map((d) => d.id));
  for (const d of drops) {
    if (d.supersedes === undefined) continue;
    const mlabel = show(cwd, join(d.dir, DROP_MANIFEST));
    if (d.supersedes === d.id) problems.push({ severity: "error", file: mlabel, message: `supersedes: the drop ${d.id} cannot supersede itself` });
    else if (!ids.has(d.supersedes)) {
      const hint = didYouMean(d.supersedes, [...ids].filter((x) => x !== d.id));
      problems.push({ severity: "error", file: mlabel, message: `supersedes: there is no drop "${d.supersedes}" for this contract${hint ? ` (did you mean "${hint}"?)` : ""}` });
    }
  }
  return drops.sort(compareDrops);
}

/** The order in which drops describe a contract: by as-of date, then when received, then id. */
export function compareDrops(a: Drop, b: Drop): number {
  return a.asOf.localeCompare(b.asOf) || receivedTime(a) - receivedTime(b) || a.id.localeCompare(b.id);
}

/** When a drop was received, in ms (a bare date counts as its first moment, UTC). */
export function receivedTime(d: Pick<Drop, "received">): number {
  return Date.parse(d.received.length === 10 ? `${d.received}T00:00:00Z` : d.received);
}

/**
 * The drops in force on `date`: received on or before it (a drop received during the day counts)
 * and not superseded by another drop received by then; in the order they describe the contract.
 */
export function dropsInForce(c: PortfolioContract, date?: string): Drop[] {
  const until = date === undefined ? Infinity : Date.parse(`${date}T23:59:59.999Z`);
  const known = c.drops.filter((d) => receivedTime(d) <= until);
  const superseded = new Set(known.filter((d) => d.supersedes !== undefined).map((d) => d.supersedes!));
  return known.filter((d) => !superseded.has(d.id));
}

/** The latest drop in force on `date` (undefined when none has arrived). */
export function latestDrop(c: PortfolioContract, date?: string): Drop | undefined {
  const inForce = dropsInForce(c, date);
  return inForce[inForce.length - 1];
}
