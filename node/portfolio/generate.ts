/**
 * A synthetic portfolio for tests, demonstrations and benchmarks: districts × providers
 * contracts written in OBC (with library templates), and monthly data drops over a school year
 * as CSV files, all drawn from one seed.
 *
 *   generatePortfolio({ seed, districts, providers, students }) → { files: Map<path, text>, truth }
 *   writePortfolio(dir, generated)
 *
 * The default is the initiative's size: 5 districts × 5 providers (25 contracts), 5,000
 * students, drops at the end of each month from September 2026 to June 2027. Every name and
 * figure is invented. The same options give the same bytes.
 *
 * What the data look like:
 * - Each district contracts with each provider; providers teach math (grades 6–8, paid for
 *   onboarding, dosage by February 28, the end-of-year benchmark and growth) or early literacy
 *   (grades K–3, a base prorated by months enrolled, and $500 per end-of-year literacy measure
 *   met by a served student). Contract caps bind for some contracts; districts split funding
 *   with a philanthropic fund (and one with a state grant).
 * - Students: grade, English learner, student with a disability and economically disadvantaged
 *   flags at district rates; a beginning-of-year score; an attendance propensity; growth from
 *   the provider's effect, a contract effect and the sessions attended. About 6% join in
 *   October or November, about 1% a month leave (their exit date appears).
 * - Each drop is a snapshot as of its day: dates only once they have passed, sessions and hours
 *   attended so far, end-of-year scores from the testing window in May and June on (a few
 *   students are absent), and the contract's monthly checkpoints so far. One provider's
 *   attendance falls in the winter, so its contracts escalate.
 * - One correction: the October drop of one contract gave the scheduled date of the first
 *   session instead of the attended one for some students; a corrected drop received a week
 *   later supersedes it, with its reason.
 * - One drop carries a column the contract does not read (a data-quality warning).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { mulberry32, Normal, runSeed } from "../../engine/fast/simulate.ts";
import { PORTFOLIO_FORMAT } from "./format.ts";

export interface GenerateOptions {
  seed?: number;
  /** 1 to 5 (default 5) */
  districts?: number;
  /** 1 to 5 (default 5) */
  providers?: number;
  /** students in all (default 5,000) */
  students?: number;
}

export interface GeneratedPortfolio {
  /** path relative to the portfolio's folder → file text */
  files: Map<string, string>;
  /** the portfolio file's path in `files` */
  portfolioFile: string;
  /** ids of the contracts, in the portfolio's order */
  contracts: string[];
  /** the corrected drop: which contract, the drop it supersedes and the correction's id */
  correction?: { contract: string; drop: string; corrected: string };
  /** month-end as-of dates of the drops, in order */
  dropDates: string[];
}

const YEAR_START = "2026-09-01";
const YEAR_END = "2027-06-30";
/** the drops' as-of dates: the last day of each month of the school year */
export const DROP_DATES = ["2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31", "2027-06-30"];
const MONTHS = DROP_DATES.map((d) => d.slice(0, 7));

interface DistrictSpec {
  id: string;
  name: string;
  short: string;
  prefix: string;
  size: number;
  el: number;
  swd: number;
  econ: number;
  funding: "philanthropy-40" | "philanthropy-50" | "state-and-philanthropy" | "philanthropy-30";
  pseudonyms: boolean;
}
interface ProviderSpec {
  id: string;
  name: string;
  short: string;
  subject: "math" | "literacy";
  /** mean attendance rate */
  attendance: number;
  /** from this month on (index into MONTHS), attendance falls by `slump` */
  slumpFrom?: number;
  slump?: number;
  /** the provider's effect on growth, in score points */
  effect: number;
  share: number;
}

const DISTRICTS: DistrictSpec[] = [
  { id: "lakeview", name: "Lakeview Unified School District", short: "Lakeview Unified", prefix: "LV", size: 1.3, el: 0.18, swd: 0.13, econ: 0.52, funding: "philanthropy-40", pseudonyms: false },
  { id: "riverside", name: "Riverside County Schools", short: "Riverside County", prefix: "RC", size: 1.15, el: 0.27, swd: 0.12, econ: 0.68, funding: "philanthropy-50", pseudonyms: false },
  { id: "cedarfalls", name: "Cedar Falls Public Schools", short: "Cedar Falls", prefix: "CF", size: 1.0, el: 0.09, swd: 0.14, econ: 0.41, funding: "state-and-philanthropy", pseudonyms: true },
  { id: "mesaverde", name: "Mesa Verde Independent School District", short: "Mesa Verde ISD", prefix: "MV", size: 0.85, el: 0.34, swd: 0.11, econ: 0.74, funding: "philanthropy-40", pseudonyms: false },
  { id: "harborcity", name: "Harbor City Schools", short: "Harbor City", prefix: "HC", size: 0.7, el: 0.21, swd: 0.15, econ: 0.61, funding: "philanthropy-30", pseudonyms: true },
];

const PROVIDERS: ProviderSpec[] = [
  { id: "brightpath", name: "Bright Path Tutoring", short: "Bright Path", subject: "math", attendance: 0.86, effect: 2, share: 1.25 },
  { id: "openbook", name: "Open Book Reading Partners", short: "Open Book", subject: "literacy", attendance: 0.84, effect: 1.5, share: 1.1 },
  { id: "summit", name: "Summit Scholars", short: "Summit Scholars", subject: "math", attendance: 0.8, slumpFrom: 3, slump: 0.2, effect: -1.5, share: 0.95 },
  { id: "northstar", name: "Northstar Learning", short: "Northstar", subject: "math", attendance: 0.8, effect: 0, share: 0.9 },
  { id: "keystone", name: "Keystone Literacy", short: "Keystone", subject: "literacy", attendance: 0.79, effect: -0.5, share: 0.8 },
];

export const INTERMEDIARY = "Tri-County Learning Partnership";
export const FUND = "Regional Tutoring Fund";
export const STATE_GRANT = "State Literacy Grant";
/** The forecast's planning assumptions written into the portfolio (score points). */
export const PLANNING = {
  math: { growth: { mean: 8, sd: 7 }, growthUncertainty: 3.5, paceUncertainty: 0.15, servicesEnd: "2027-05-31" },
  literacy: { growth: { mean: 10, sd: 7 }, growthUncertainty: 3.5, paceUncertainty: 0.15, servicesEnd: "2027-05-31" },
};

// ───────────── dates ─────────────

const dayMs = 86_400_000;
const toDay = (d: string) => Date.UTC(+d.slice(0, 4), +d.slice(5, 7) - 1, +d.slice(8, 10)) / dayMs;
const fromDay = (n: number) => new Date(n * dayMs).toISOString().slice(0, 10);
const addDays = (d: string, n: number) => fromDay(toDay(d) + n);
const monthStart = (m: string) => `${m}-01`;

// ───────────── sizes ─────────────

/** Splits `total` among weights, rounded down, leftovers to the largest remainders. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

// ───────────── contracts ─────────────

function fundingBlock(d: DistrictSpec): { parties: string[]; block: string[] } {
  const fund = `    funder "${FUND}" as philanthropy`;
  switch (d.funding) {
    case "philanthropy-40":
      return { parties: [fund], block: ["    philanthropy pays 40% of every line, rounded half up to the cent", "    district pays the rest"] };
    case "philanthropy-50":
      return { parties: [fund], block: ["    philanthropy pays 50% of every line", "    district pays the rest"] };
    case "philanthropy-30":
      return { parties: [fund], block: ["    philanthropy pays 30% of every line, rounded half up to the cent", "    district pays the rest"] };
    case "state-and-philanthropy":
      return {
        parties: [fund, `    funder "${STATE_GRANT}" as state`],
        block: ["    state pays 25% of every line", "    philanthropy pays 35% of every line", "    district pays the rest"],
      };
  }
}

const money = (dollars: number) => `$${dollars.toLocaleString("en-US")}`;

/** The head of a generated contract: the comment, title, parties, term, currency and rounding. */
function contractHead(d: DistrictSpec, p: ProviderSpec, id: string, seed: number, what: string, subject: string): string {
  const f = fundingBlock(d);
  return `// ${what}: ${d.name} with ${p.name}, 2026-27.
// Synthetic: written by obc portfolio generate (seed ${seed}); every name and figure is invented.
// Portfolio contract ${id}.
contract "${d.short} × ${p.short}: ${subject} 2026-27" id "${id}-2026-27" version "1.0" {
  parties {
    district "${d.name}"
    provider "${p.name}"
    intermediary "${INTERMEDIARY}"
${f.parties.join("\n")}
  }
  term ${YEAR_START} to ${YEAR_END}
  currency USD
  rounding half up to the cent

`;
}

function mathContract(d: DistrictSpec, p: ProviderSpec, id: string, cap: number, seed: number): string {
  const f = fundingBlock(d);
  return `${contractHead(d, p, id, seed, "Middle-school math tutoring", "middle-school math")}  data students keyed by student_id {
    grade: integer
    english_learner: boolean
    swd: boolean
    econ_disadv: boolean
    diagnostic_date: optional date
    first_session_date: optional date
    sessions_by_feb28: count
    boy_score: score
    eoy_score: optional score
    exit_date: optional date
  }

  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }

  metric growth = eoy_score - boy_score
  condition enrolled_for_testing = exit_date is missing or exit_date >= 2027-05-01

  identified students when grade in [6, 7, 8] and boy_score < 60

  import onboarding_milestone from stdlib version "1"
  import dosage_threshold from stdlib version "1"
  import benchmark_attainment from stdlib version "1"
  import growth_without_attainment from stdlib version "1"
  import escalation_ladder from stdlib version "1"

  use onboarding_milestone(diagnostic: diagnostic_date, first_session: first_session_date, deadline: 2026-10-15, amount: $200)
  use dosage_threshold(attended: sessions_by_feb28, minimum: 30, deadline: 2027-02-28, amount: $300)
  use benchmark_attainment(name: "Math benchmark", score: eoy_score, cut: 70, amount: $900, only_if: enrolled_for_testing)
  use growth_without_attainment(name: "Growth", not_attained: not "Math benchmark", growth: growth, min_growth: 10, amount: $400, only_if: enrolled_for_testing)

  weight 1.2 for english_learner or swd on "Math benchmark", "Growth"

  cap $1,600 per student
  cap ${money(cap)} per contract, allocated pro rata

  funding {
${f.block.join("\n")}
  }

  settlement on 2027-01-15, 2027-07-31

  use escalation_ladder(attended: sessions_attended, scheduled: sessions_scheduled)
}
`;
}

function literacyContract(d: DistrictSpec, p: ProviderSpec, id: string, cap: number, seed: number): string {
  const f = fundingBlock(d);
  return `${contractHead(d, p, id, seed, "Early literacy tutoring", "early literacy")}  data students keyed by student_id {
    grade: integer
    english_learner: boolean
    swd: boolean
    econ_disadv: boolean
    exit_date: optional date
    tutoring_hours: decimal
    boy_fluency: score
    boy_vocabulary: score
    boy_phonemic: score
    eoy_fluency: optional score
    eoy_vocabulary: optional score
    eoy_phonemic: optional score
  }

  data checkpoints each month {
    sessions_scheduled: count
    sessions_attended: count
  }

  metric months_enrolled = month starts from ${YEAR_START} through exit_date otherwise ${YEAR_END}
  condition enrolled_for_testing = exit_date is missing or exit_date >= 2027-05-01
  metric measures_met = count of [eoy_fluency >= 40, eoy_vocabulary >= 35, eoy_phonemic >= 45]

  identified students when grade in [0, 1, 2, 3]
  served students when enrolled_for_testing and tutoring_hours >= 36

  import prorated_base from stdlib version "1"
  import escalation_ladder from stdlib version "1"

  use prorated_base(amount: $600, program_start: ${YEAR_START}, program_end: ${YEAR_END}, exit: exit_date)

  outcome "Literacy measures" pays $500 * measures_met per served student

  cap $2,100 per student
  cap ${money(cap)} per contract, allocated pro rata

  funding {
${f.block.join("\n")}
  }

  settlement on 2027-01-15, 2027-07-31

  use escalation_ladder(attended: sessions_attended, scheduled: sessions_scheduled)
}
`;
}

// ───────────── students ─────────────

interface Student {
  id: string;
  /** the month (index) the student joins the roster */
  joins: number;
  grade: number;
  el: boolean;
  swd: boolean;
  econ: boolean;
  diagnostic: string;
  firstSession: string;
  /** the scheduled date the October export wrongly gave (correction contract only) */
  scheduledFirst?: string;
  exit?: string;
  /** attended sessions per month index */
  attended: number[];
  scheduled: number[];
  /** math */
  boy?: number;
  eoy?: number;
  /** literacy: boy and eoy of fluency, vocabulary, phonemic */
  boyL?: [number, number, number];
  eoyL?: [number, number, number];
  testDate: string;
  absent: boolean;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function drawStudents(n: number, d: DistrictSpec, p: ProviderSpec, contractEffect: number, rng: () => number, normal: Normal, idBase: number): Student[] {
  const out: Student[] = [];
  const perMonth = p.subject === "math" ? 8 : 12;
  for (let i = 0; i < n; i++) {
    const joins = rng() < 0.06 ? 1 + Math.floor(rng() * 2) : 0;
    const grade = p.subject === "math" ? 6 + Math.floor(rng() * 3) : Math.floor(rng() * 4);
    const el = rng() < d.el;
    const swd = rng() < d.swd;
    const econ = rng() < d.econ;
    const start = joins === 0 ? YEAR_START : monthStart(MONTHS[joins]!);
    const diagnostic = addDays(start, 6 + Math.floor(rng() * 36));
    const firstSession = addDays(diagnostic, 3 + Math.floor(rng() * 16));
    const propensity = clamp(normal.next(p.attendance, 0.1), 0.15, 1);
    // leaves with a hazard of about 1% a month
    let exit: string | undefined;
    for (let m = joins; m < MONTHS.length - 1 && exit === undefined; m++) {
      if (rng() < 0.01) exit = addDays(monthStart(MONTHS[m]!), Math.floor(rng() * 28));
    }
    const attended: number[] = [];
    const scheduled: number[] = [];
    for (let m = 0; m < MONTHS.length; m++) {
      const mStart = monthStart(MONTHS[m]!);
      const mEnd = DROP_DATES[m]!;
      // tutoring runs September to May; sessions start at the first session and stop at exit
      const active = m <= 8 && firstSession <= mEnd && (exit === undefined || exit >= mStart);
      if (!active) {
        attended.push(0);
        scheduled.push(0);
        continue;
      }
      let share = 1;
      if (firstSession > mStart) share = (toDay(mEnd) - toDay(firstSession) + 1) / (toDay(mEnd) - toDay(mStart) + 1);
      if (exit !== undefined && exit <= mEnd) share = Math.min(share, (toDay(exit) - toDay(mStart) + 1) / (toDay(mEnd) - toDay(mStart) + 1));
      const sched = Math.max(0, Math.round(perMonth * share));
      const rate = clamp(propensity - (p.slumpFrom !== undefined && m >= p.slumpFrom && m <= 7 ? p.slump! : 0), 0.05, 1);
      let att = 0;
      for (let k = 0; k < sched; k++) if (rng() < rate) att++;
      scheduled.push(sched);
      attended.push(att);
    }
    const total = attended.reduce((a, b) => a + b, 0);
    const testDate = addDays("2027-05-10", Math.floor(rng() * 27));
    const absent = rng() < 0.05;
    const s: Student = { id: `${d.prefix}-${String(idBase + i).padStart(6, "0")}`, joins, grade, el, swd, econ, diagnostic, firstSession, ...(exit ? { exit } : {}), attended, scheduled, testDate, absent };
    if (p.subject === "math") {
      const identified = rng() >= 0.08;
      const boy = identified ? Math.round(clamp(normal.next(47, 8), 20, 59)) : 60 + Math.floor(rng() * 16);
      const growth = 6 + p.effect + contractEffect + 0.12 * (total - 40) + normal.next(0, 6);
      s.boy = boy;
      s.eoy = Math.round(clamp(boy + growth, 0, 100));
    } else {
      const base: [number, number, number] = [28, 24, 33];
      const studentEffect = normal.next(0, 3);
      s.boyL = base.map((b) => Math.round(clamp(normal.next(b, 7), 0, 100))) as [number, number, number];
      s.eoyL = s.boyL.map((b) => Math.round(clamp(b + 9 + p.effect + contractEffect + 0.05 * (total - 60) + studentEffect + normal.next(0, 5), 0, 120))) as [number, number, number];
    }
    out.push(s);
  }
  return out;
}

// ───────────── drops ─────────────

const csvLine = (cells: (string | number)[]) => cells.map(String).join(",");

function studentsCsv(p: ProviderSpec, students: Student[], m: number, opts: { wrongFirstSession?: boolean; extraColumn?: boolean } = {}): string {
  const asOf = DROP_DATES[m]!;
  const known = (date: string | undefined) => (date !== undefined && date <= asOf ? date : "");
  const rows: string[] = [];
  const header =
    p.subject === "math"
      ? ["student_id", "grade", "english_learner", "swd", "econ_disadv", "diagnostic_date", "first_session_date", "sessions_by_feb28", "boy_score", "eoy_score", "exit_date"]
      : ["student_id", "grade", "english_learner", "swd", "econ_disadv", "exit_date", "tutoring_hours", "boy_fluency", "boy_vocabulary", "boy_phonemic", "eoy_fluency", "eoy_vocabulary", "eoy_phonemic"];
  if (opts.extraColumn) header.push("homeroom");
  rows.push(csvLine(header));
  const tested = (s: Student) => !s.absent && s.testDate <= asOf && (s.exit === undefined || s.exit >= "2027-05-01");
  for (const s of students) {
    if (s.joins > m) continue;
    const flags = [s.el ? "true" : "false", s.swd ? "true" : "false", s.econ ? "true" : "false"];
    let cells: (string | number)[];
    if (p.subject === "math") {
      // sessions attended by February 28 (the fifth month index is February)
      const byFeb = s.attended.slice(0, Math.min(m, 5) + 1).reduce((a, b) => a + b, 0);
      const first = opts.wrongFirstSession && s.scheduledFirst !== undefined ? s.scheduledFirst : s.firstSession;
      cells = [s.id, s.grade, ...flags, known(s.diagnostic), known(first), byFeb, s.boy!, tested(s) ? s.eoy! : "", known(s.exit)];
    } else {
      const hours = s.attended.slice(0, m + 1).reduce((a, b) => a + b, 0) * 0.5;
      cells = [s.id, s.grade, ...flags, known(s.exit), hours.toFixed(1), ...s.boyL!, ...(tested(s) ? s.eoyL! : ["", "", ""])];
    }
    if (opts.extraColumn) cells.push(`R${100 + (s.grade * 7) % 23}`);
    rows.push(csvLine(cells));
  }
  return rows.join("\n") + "\n";
}

function checkpointsCsv(students: Student[], m: number): string {
  const rows = [csvLine(["month", "sessions_scheduled", "sessions_attended"])];
  // a month's checkpoint is reported once the month is over, for the months tutoring ran
  for (let k = 0; k <= Math.min(m, 8); k++) {
    let sched = 0;
    let att = 0;
    for (const s of students) {
      sched += s.scheduled[k]!;
      att += s.attended[k]!;
    }
    if (sched > 0) rows.push(csvLine([MONTHS[k]!, sched, att]));
  }
  return rows.join("\n") + "\n";
}

function manifest(m: { asOf: string; received: string; suppliedBy: string; files: Record<string, string>; supersedes?: string; reason?: string }): string {
  return JSON.stringify(m, null, 2) + "\n";
}

// ───────────── the portfolio ─────────────

/** Builds the synthetic portfolio in memory. */
export function generatePortfolio(opts: GenerateOptions = {}): GeneratedPortfolio {
  const seed = opts.seed ?? 1;
  const nd = opts.districts ?? 5;
  const np = opts.providers ?? 5;
  const total = opts.students ?? 5000;
  if (!Number.isInteger(nd) || nd < 1 || nd > DISTRICTS.length) throw new RangeError(`districts: 1 to ${DISTRICTS.length}`);
  if (!Number.isInteger(np) || np < 1 || np > PROVIDERS.length) throw new RangeError(`providers: 1 to ${PROVIDERS.length}`);
  if (!Number.isInteger(total) || total < nd * np * 12 || total > 200_000) throw new RangeError(`students: ${nd * np * 12} to 200,000`);
  const districts = DISTRICTS.slice(0, nd);
  const providers = PROVIDERS.slice(0, np);
  const pairs = districts.flatMap((d) => providers.map((p) => ({ d, p })));
  const sizes = apportion(
    total,
    pairs.map(({ d, p }) => d.size * p.share),
  );
  const files = new Map<string, string>();
  const contracts: { id: string; district: string; provider: string; contract: string; providerSees?: string; forecast: object }[] = [];
  // the correction: the second district's first math contract (or the only contract)
  const correctionPair = pairs.find(({ d, p }) => d === districts[Math.min(1, nd - 1)] && p.subject === "math") ?? pairs[0]!;
  let correction: GeneratedPortfolio["correction"];
  // the extra column: the last contract's March drop
  const extraPair = pairs[pairs.length - 1]!;

  pairs.forEach(({ d, p }, k) => {
    const id = `${d.id}-${p.id}`;
    const rng = mulberry32(runSeed(seed, k));
    const normal = new Normal(rng);
    const contractEffect = normal.next(0, 2);
    const n = sizes[k]!;
    const students = drawStudents(n, d, p, contractEffect, rng, normal, 1000 + k * 2000);
    // contract caps: generous, except every seventh contract, whose cap binds
    const perStudent = p.subject === "math" ? 1250 : 1500;
    const binding = k % 7 === 3;
    const cap = Math.ceil((n * (binding ? perStudent * 0.55 : perStudent)) / 1000) * 1000;
    const contractFile = `contracts/${id}.obc`;
    files.set(contractFile, p.subject === "math" ? mathContract(d, p, id, cap, seed) : literacyContract(d, p, id, cap, seed));
    contracts.push({
      id,
      district: d.id,
      provider: p.id,
      contract: contractFile,
      ...(d.pseudonyms ? { providerSees: "pseudonyms" } : {}),
      forecast: PLANNING[p.subject],
    });

    const isCorrection = d === correctionPair.d && p === correctionPair.p;
    if (isCorrection) {
      // the scheduled first session: a few days before the attended one, on or before the deadline
      for (const s of students) {
        if (s.firstSession > "2026-10-15" && s.firstSession <= "2026-10-31" && s.diagnostic <= "2026-10-15" && rng() < 0.8) {
          s.scheduledFirst = addDays("2026-10-15", -Math.floor(rng() * 6));
        }
      }
    }
    DROP_DATES.forEach((asOf, m) => {
      const dropId = MONTHS[m]!;
      const dir = `drops/${id}/${dropId}`;
      const received = `${addDays(asOf, 3 + ((k + m) % 4))}T${String(9 + ((k * 3 + m) % 8)).padStart(2, "0")}:00:00Z`;
      const extra = d === extraPair.d && p === extraPair.p && m === 6;
      files.set(`${dir}/students.csv`, studentsCsv(p, students, m, { wrongFirstSession: isCorrection && m === 1, extraColumn: extra }));
      files.set(`${dir}/checkpoints.csv`, checkpointsCsv(students, m));
      files.set(`${dir}/drop.json`, manifest({ asOf, received, suppliedBy: d.name, files: { students: "students.csv", checkpoints: "checkpoints.csv" } }));
      if (isCorrection && m === 1) {
        const cdir = `drops/${id}/${dropId}-corrected`;
        files.set(`${cdir}/students.csv`, studentsCsv(p, students, m));
        files.set(`${cdir}/checkpoints.csv`, checkpointsCsv(students, m));
        files.set(
          `${cdir}/drop.json`,
          manifest({
            asOf,
            received: `${addDays(received.slice(0, 10), 7)}T10:00:00Z`,
            suppliedBy: d.name,
            files: { students: "students.csv", checkpoints: "checkpoints.csv" },
            supersedes: dropId,
            reason: "the first export gave the scheduled date of the first session instead of the date it was attended",
          }),
        );
        correction = { contract: id, drop: dropId, corrected: `${dropId}-corrected` };
      }
    });
  });

  const portfolio = {
    format: PORTFOLIO_FORMAT,
    name: "Tri-County Tutoring Initiative 2026-27 (synthetic)",
    intermediary: INTERMEDIARY,
    minCell: 10,
    districts: districts.map((d) => ({ id: d.id, name: d.name })),
    providers: providers.map((p) => ({ id: p.id, name: p.name })),
    contracts,
  };
  files.set("portfolio.json", JSON.stringify(portfolio, null, 2) + "\n");
  return { files, portfolioFile: "portfolio.json", contracts: contracts.map((c) => c.id), ...(correction ? { correction } : {}), dropDates: [...DROP_DATES] };
}

/** Writes a generated portfolio under `dir` (created when absent). */
export function writePortfolio(dir: string, g: GeneratedPortfolio): void {
  for (const [rel, text] of [...g.files].sort(([a], [b]) => a.localeCompare(b))) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text, "utf8");
  }
}
