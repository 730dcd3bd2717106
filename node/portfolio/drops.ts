/**
 * Adding a drop to a portfolio: its files copied into a new folder of the contract's drops
 * folder, with its manifest (`drop.json`). Used by `obc portfolio drop` and the dashboard.
 *
 *   writeDrop(contract, { asOf, received, suppliedBy, files, supersedes?, reason?, id? }) → the drop's id
 *
 * The id is the month of the data (`2027-03`), or `<drop>-corrected` for a correction, with
 * `-2`, `-3`… when taken. Nothing is written when anything is wrong ({@link DropError}).
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataFileFromBytes } from "../data-file.ts";
import { DropManifestSchema, DROP_MANIFEST, type PortfolioContract } from "./format.ts";

/** A drop that cannot be added: the message says why (never a data value). */
export class DropError extends Error {}

export interface NewPortfolioDrop {
  /** the day the data describe */
  asOf: string;
  /** when the drop was received (the caller's clock), ISO 8601 */
  received: string;
  suppliedBy: string;
  /** per data set of the contract, the file's name and bytes */
  files: Record<string, { name: string; bytes: Uint8Array }>;
  supersedes?: string;
  reason?: string;
  /** the drop's id (default: the month, or `<superseded>-corrected`) */
  id?: string;
}

const safeName = (name: string) => {
  const base = name.replace(/^.*[\\/]/, "").replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "");
  return base === "" || base === DROP_MANIFEST ? "data.csv" : base;
};

/**
 * Why a new drop's file could never be run (not text, a workbook that cannot be read exactly:
 * read as every data file is, node/data-file.ts), in one sentence without a value; undefined
 * when every file can be read. A drop is checked before it is written.
 */
export async function unreadableDropFile(files: NewPortfolioDrop["files"]): Promise<string | undefined> {
  for (const [set, f] of Object.entries(files)) {
    const { refusal } = await dataFileFromBytes(f.bytes, f.name, set);
    if (refusal) return refusal.message;
  }
  return undefined;
}

/** Writes a new drop's folder (files and manifest) under the contract's drops folder; returns its id. */
export function writeDrop(c: PortfolioContract, d: NewPortfolioDrop): string {
  const sets = new Set(c.ir.dataSets.map((x) => x.name));
  const given = Object.keys(d.files);
  if (given.length === 0) throw new DropError("give at least one file");
  for (const k of given) if (!sets.has(k)) throw new DropError(`the contract has no data set ${k} (it has ${[...sets].join(", ")})`);
  if (d.supersedes !== undefined && !c.drops.some((x) => x.id === d.supersedes)) throw new DropError(`contract ${c.id} has no drop ${d.supersedes}`);
  const base = d.id ?? (d.supersedes !== undefined ? `${d.supersedes}-corrected` : d.asOf.slice(0, 7));
  if (d.id !== undefined && existsSync(join(c.dropsDir, d.id))) throw new DropError(`contract ${c.id} already has a drop ${d.id}`);
  let id = base;
  for (let n = 2; existsSync(join(c.dropsDir, id)); n++) id = `${base}-${n}`;
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const [set, f] of Object.entries(d.files)) {
    let name = safeName(f.name);
    while (used.has(name)) name = `${set}-${name}`;
    used.add(name);
    names.set(set, name);
  }
  const manifest = {
    asOf: d.asOf,
    received: d.received,
    suppliedBy: d.suppliedBy,
    files: Object.fromEntries(names),
    ...(d.supersedes !== undefined ? { supersedes: d.supersedes, ...(d.reason !== undefined ? { reason: d.reason } : {}) } : {}),
  };
  const check = DropManifestSchema.safeParse(manifest);
  if (!check.success) {
    const i = check.error.issues[0]!;
    throw new DropError(`${i.path.map(String).join(".") || "the drop"}: ${i.message}`);
  }
  const dir = join(c.dropsDir, id);
  try {
    mkdirSync(dir, { recursive: true });
    for (const [set, f] of Object.entries(d.files)) writeFileSync(join(dir, names.get(set)!), f.bytes);
    // the manifest last: the drop is complete once it is there
    writeFileSync(join(dir, DROP_MANIFEST), JSON.stringify(manifest, null, 2) + "\n", "utf8");
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return id;
}
