/**
 * OneRoster 1.1 and 1.2 CSV → Student, EnrollmentSpan, AssessmentResult.
 *
 * Files (recognised by name, else by header): `manifest.csv` (version), `orgs.csv` (school
 * identifiers), `users.csv`, `roles.csv` (1.2: roles moved out of users.csv), `enrollments.csv`,
 * `demographics.csv`, and optionally `lineItems.csv` + `results.csv` (gradebook scores).
 * Files are read in that order, whatever order they are given in.
 *
 * - A student's local id is `users.identifier` (the SIS id); when the file has no identifier
 *   column, the `sourcedId` is used (id system "oneroster"). Rows of other files name users by
 *   sourcedId and are joined through users.csv; a row naming a user who is not a student in
 *   users.csv is rejected (unknown-student).
 * - Users: only role `student` (1.1 `role` column, 1.2 roles.csv), status not `tobedeleted`.
 *   Grade: the first of `grades`. School: `primaryOrgSourcedId` (1.2) or the first of
 *   `orgSourcedIds`, translated to the org's `identifier` through orgs.csv when given.
 * - Demographics keep only sex, the race flags (as one race field) and Hispanic/Latino
 *   ethnicity, for equity reporting; birth date, birthplace and residence are never read.
 * - Never read: username, givenName, familyName, middleName, preferred names, pronouns, email,
 *   sms, phone, password, userIds, agents, comments.
 */
import { Columns, normGrade, normHeader, normSubject } from "./cells.ts";
import type { Student } from "./canonical.ts";
import { readCsvRows, type AdapterContext } from "./context.ts";

export const ONEROSTER_VERSION = "oneroster-csv/1";

export type OneRosterKind = "manifest" | "orgs" | "users" | "roles" | "lineItems" | "enrollments" | "demographics" | "results";

/** Reading order: files that others refer to come first. */
export const ONEROSTER_ORDER: Record<OneRosterKind, number> = {
  manifest: 0,
  orgs: 1,
  roles: 2,
  users: 3,
  lineItems: 4,
  enrollments: 5,
  demographics: 6,
  results: 7,
};

/** Per adaptation: what later files need from earlier ones. */
export interface OneRosterShared {
  version?: string;
  /** org sourcedId → identifier */
  orgs: Map<string, string>;
  /** 1.2 roles.csv: user sourcedIds with a student role */
  studentRoles?: Set<string>;
  /** user sourcedId → student key */
  users: Map<string, string>;
  /** lineItem sourcedId → title */
  lineItems: Map<string, { title?: string; date?: string }>;
}
export const newOneRosterShared = (): OneRosterShared => ({ orgs: new Map(), users: new Map(), lineItems: new Map() });

const COLUMNS: Record<OneRosterKind, Columns> = {
  manifest: new Columns([{ name: "propertyName", required: true }, { name: "value", required: true }]),
  orgs: new Columns([{ name: "sourcedId", required: true }, { name: "status" }, { name: "type" }, { name: "identifier" }]),
  users: new Columns([
    { name: "sourcedId", required: true },
    { name: "status" },
    { name: "role" },
    { name: "identifier" },
    { name: "grades" },
    { name: "orgSourcedIds" },
    { name: "primaryOrgSourcedId", aliases: ["primaryOrg"] },
  ]),
  roles: new Columns([
    { name: "userSourcedId", required: true },
    { name: "status" },
    { name: "role", required: true },
    { name: "roleType" },
    { name: "orgSourcedId" },
  ]),
  lineItems: new Columns([
    { name: "sourcedId", required: true },
    { name: "status" },
    { name: "title" },
    { name: "assignDate" },
    { name: "dueDate" },
  ]),
  enrollments: new Columns([
    { name: "sourcedId" },
    { name: "status" },
    { name: "classSourcedId" },
    { name: "schoolSourcedId" },
    { name: "userSourcedId", required: true },
    { name: "role", required: true },
    { name: "beginDate" },
    { name: "endDate" },
  ]),
  demographics: new Columns([
    { name: "sourcedId", aliases: ["userSourcedId"], required: true },
    { name: "status" },
    { name: "sex" },
    { name: "americanIndianOrAlaskaNative" },
    { name: "asian" },
    { name: "blackOrAfricanAmerican" },
    { name: "nativeHawaiianOrOtherPacificIslander" },
    { name: "white" },
    { name: "demographicRaceTwoOrMoreRaces" },
    { name: "hispanicOrLatinoEthnicity" },
  ]),
  results: new Columns([
    { name: "sourcedId" },
    { name: "status" },
    { name: "lineItemSourcedId", required: true },
    { name: "studentSourcedId", required: true },
    { name: "scoreStatus" },
    { name: "score" },
    { name: "scoreDate" },
    { name: "scorePercentile" },
  ]),
};

/** The kind of a OneRoster file: by its name, else by its header. */
export function oneRosterKindOf(file: string, header: readonly string[]): OneRosterKind | undefined {
  const base = file.replace(/^.*[\\/]/, "").replace(/\.csv$/i, "").toLowerCase();
  const byName: Record<string, OneRosterKind> = {
    manifest: "manifest",
    orgs: "orgs",
    users: "users",
    roles: "roles",
    lineitems: "lineItems",
    enrollments: "enrollments",
    demographics: "demographics",
    results: "results",
  };
  if (byName[base]) return byName[base];
  const h = new Set(header.map(normHeader));
  if (h.has("propertyname")) return "manifest";
  if (h.has("lineitemsourcedid")) return "results";
  if (h.has("roletype")) return "roles";
  if (h.has("usersourcedid") && h.has("classsourcedid")) return "enrollments";
  if (h.has("hispanicorlatinoethnicity") || h.has("birthdate")) return "demographics";
  if (h.has("givenname") || h.has("username")) return "users";
  if (h.has("assigndate") && h.has("title")) return "lineItems";
  if (h.has("type") && h.has("identifier")) return "orgs";
  return undefined;
}

const RACES: [string, string][] = [
  ["americanIndianOrAlaskaNative", "American Indian or Alaska Native"],
  ["asian", "Asian"],
  ["blackOrAfricanAmerican", "Black or African American"],
  ["nativeHawaiianOrOtherPacificIslander", "Native Hawaiian or Other Pacific Islander"],
  ["white", "White"],
];

const inactive = (status: string | undefined) => status !== undefined && status.toLowerCase() === "tobedeleted";

/** Reads one OneRoster CSV file of a known kind. */
export async function readOneRoster(ctx: AdapterContext, kind: OneRosterKind, shared: OneRosterShared): Promise<void> {
  const q = ctx.quality;
  const strict = ctx.options.strict ?? false;
  const seen = new Set<string>();
  let hasIdentifier = false;
  const onHeader = (header: readonly string[]) => {
    hasIdentifier = header.some((h) => normHeader(h) === "identifier");
  };
  const src = (row: number) => ({ format: "oneroster", fileSha256: ctx.sha256, row });
  await readCsvRows(
    ctx,
    COLUMNS[kind],
    (r) => {
      switch (kind) {
        case "manifest": {
          const name = r.text("propertyName");
          const value = r.text("value");
          if (name === "oneroster.version" && value) shared.version = value;
          q.exclude("manifest");
          return;
        }
        case "orgs": {
          const id = r.id("sourcedId");
          if (id === undefined) return q.reject(r.row, "missing-key", "sourcedId");
          const identifier = r.id("identifier");
          shared.orgs.set(id, identifier ?? id);
          q.exclude("org");
          return;
        }
        case "roles": {
          const user = r.id("userSourcedId");
          if (user === undefined) return q.reject(r.row, "missing-key", "userSourcedId");
          const role = r.text("role");
          if (inactive(r.text("status"))) return q.exclude("tobedeleted");
          shared.studentRoles ??= new Set();
          if (role?.toLowerCase() === "student") shared.studentRoles.add(user);
          q.exclude("role");
          return;
        }
        case "users": {
          const sourcedId = r.id("sourcedId");
          if (sourcedId === undefined) return q.reject(r.row, "missing-key", "sourcedId");
          if (inactive(r.text("status"))) return q.exclude("tobedeleted");
          const role = r.text("role");
          const isStudent = r.has("role") ? role?.toLowerCase() === "student" : shared.studentRoles ? shared.studentRoles.has(sourcedId) : true;
          if (!isStudent) return q.exclude("not-a-student");
          const localId = hasIdentifier ? r.id("identifier") : sourcedId;
          if (localId === undefined) return q.reject(r.row, "missing-key", "identifier");
          if (seen.has(sourcedId)) return q.reject(r.row, "duplicate", "sourcedId");
          seen.add(sourcedId);
          const grades = r.text("grades");
          const firstGrade = grades?.split(",")[0]?.trim();
          const gradeLevel = firstGrade ? normGrade(firstGrade) : undefined;
          if (firstGrade && !gradeLevel) r.problem("grades", "not-a-grade");
          const org = r.id("primaryOrgSourcedId") ?? r.text("orgSourcedIds")?.split(",")[0]?.trim();
          if (!r.finish(q, strict)) return;
          const key = ctx.keyOf(localId, ctx.options.idSystem ?? (hasIdentifier ? "sis" : "oneroster"));
          shared.users.set(sourcedId, key);
          const s: Student = { key, src: src(r.row) };
          if (gradeLevel) s.gradeLevel = gradeLevel;
          if (org) s.schoolId = shared.orgs.get(org) ?? org;
          ctx.sink.student(s);
          return;
        }
        case "enrollments": {
          const user = r.id("userSourcedId");
          if (user === undefined) return q.reject(r.row, "missing-key", "userSourcedId");
          if (inactive(r.text("status"))) return q.exclude("tobedeleted");
          if (r.text("role")?.toLowerCase() !== "student") return q.exclude("not-a-student");
          const key = shared.users.get(user);
          if (key === undefined) return q.reject(r.row, "unknown-student", "userSourcedId");
          const begin = r.date("beginDate");
          const end = r.date("endDate");
          const school = r.id("schoolSourcedId");
          const cls = r.id("classSourcedId");
          const identity = JSON.stringify([user, cls ?? "", school ?? "", begin ?? ""]);
          if (seen.has(identity)) return q.reject(r.row, "duplicate");
          seen.add(identity);
          if (!r.finish(q, strict)) return;
          ctx.sink.enrollment({
            key,
            ...(school ? { schoolId: shared.orgs.get(school) ?? school } : {}),
            ...(cls ? { classId: cls } : {}),
            ...(begin ? { entryDate: begin } : {}),
            ...(end ? { exitDate: end } : {}),
            src: src(r.row),
          });
          return;
        }
        case "demographics": {
          const user = r.id("sourcedId");
          if (user === undefined) return q.reject(r.row, "missing-key", "sourcedId");
          if (inactive(r.text("status"))) return q.exclude("tobedeleted");
          const key = shared.users.get(user);
          if (key === undefined) {
            // demographics cover staff too: a user who is not a student is left out, not an error
            return q.exclude("not-a-student");
          }
          if (seen.has(user)) return q.reject(r.row, "duplicate", "sourcedId");
          seen.add(user);
          const subgroups: Record<string, string> = {};
          const sex = r.text("sex");
          if (sex) subgroups["sex"] = sex;
          const races = RACES.filter(([c]) => r.flag(c) === true).map(([, label]) => label);
          const two = r.flag("demographicRaceTwoOrMoreRaces");
          if (two === true || races.length > 1) subgroups["race"] = "Two or More Races";
          else if (races.length === 1) subgroups["race"] = races[0];
          const hisp = r.flag("hispanicOrLatinoEthnicity");
          if (hisp !== undefined && hisp !== null) subgroups["hispanic_or_latino"] = String(hisp);
          if (!r.finish(q, strict)) return;
          ctx.sink.student({ key, subgroups, src: src(r.row) });
          return;
        }
        case "lineItems": {
          const id = r.id("sourcedId");
          if (id === undefined) return q.reject(r.row, "missing-key", "sourcedId");
          const title = r.text("title");
          const date = r.date("assignDate") ?? r.date("dueDate");
          shared.lineItems.set(id, { ...(title ? { title } : {}), ...(date ? { date } : {}) });
          q.exclude("line-item");
          return;
        }
        case "results": {
          const user = r.id("studentSourcedId");
          if (user === undefined) return q.reject(r.row, "missing-key", "studentSourcedId");
          if (inactive(r.text("status"))) return q.exclude("tobedeleted");
          const key = shared.users.get(user);
          if (key === undefined) return q.reject(r.row, "unknown-student", "studentSourcedId");
          const item = r.id("lineItemSourcedId");
          if (item === undefined) return q.reject(r.row, "missing-value", "lineItemSourcedId");
          const meta = shared.lineItems.get(item);
          const score = r.number("score");
          const pct = r.number("scorePercentile");
          const date = r.date("scoreDate") ?? meta?.date;
          const status = r.text("scoreStatus");
          const identity = JSON.stringify([user, item]);
          if (seen.has(identity)) return q.reject(r.row, "duplicate");
          seen.add(identity);
          if (!r.finish(q, strict)) return;
          const title = meta?.title ?? item;
          ctx.sink.assessment({
            key,
            instrument: "ONEROSTER",
            subject: (ctx.options.subject ? normSubject(ctx.options.subject) : undefined) ?? normSubject(title.split(/\s+/)[0] ?? "") ?? "general",
            window: title.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, ""),
            ...(date ? { adminDate: date } : {}),
            ...(score !== undefined ? { scaleScore: score } : {}),
            ...(pct !== undefined ? { percentile: pct } : {}),
            ...(status && /exempt|not ?submitted/i.test(status) ? { validity: { invalidReason: "not-scored" } } : {}),
            src: src(r.row),
          });
          return;
        }
      }
    },
    onHeader,
  );
}
