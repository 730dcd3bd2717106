/**
 * The options `obc summary` and `obc diff` share for documents that are signed: status, exhibit
 * label, paper, the date the document is generated (the clock is an input: `--date`, else
 * `SOURCE_DATE_EPOCH`, else today), and for a redline who made the changes and when they take
 * effect. Kept apart from `documents.ts` so that defining the commands loads no engine code.
 */
import { InvalidArgumentError, type Command } from "commander";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseDate(value: string): string {
  const m = ISO_DATE.exec(value);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d) return value;
  }
  throw new InvalidArgumentError("Write the date as YYYY-MM-DD, e.g. 2027-07-01.");
}

function parseStatus(value: string): "draft" | "for-signature" {
  if (value === "draft" || value === "for-signature") return value;
  throw new InvalidArgumentError("Use draft or for-signature.");
}

function parsePaper(value: string): "letter" | "a4" {
  const v = value.toLowerCase();
  if (v === "letter" || v === "a4") return v;
  throw new InvalidArgumentError("Use letter or a4.");
}

export interface DocumentFlags {
  status?: "draft" | "for-signature";
  exhibit?: string;
  paper?: "letter" | "a4";
  date?: string;
}

/** Adds the options every signed document takes. */
export function documentOptions(cmd: Command): Command {
  return cmd
    .option("--status <status>", "draft (marked DRAFT on every page, the default) or for-signature", parseStatus)
    .option("--exhibit <label>", "the exhibit label on every page (default \"Exhibit A\")")
    .option("--paper <size>", "letter or a4 for Word (default letter; a4 for contracts in GBP or EUR)", parsePaper)
    .option("--date <date>", "the date the document is generated (default: SOURCE_DATE_EPOCH, else today)", parseDate);
}

/** The generation date: `--date`, else `SOURCE_DATE_EPOCH` (seconds since 1970), else today in UTC. */
export function generatedDate(flag: string | undefined, env: Record<string, string | undefined>, now: () => Date = () => new Date()): string {
  if (flag) return flag;
  const epoch = env["SOURCE_DATE_EPOCH"];
  if (epoch && /^\d+$/.test(epoch)) return new Date(Number(epoch) * 1000).toISOString().slice(0, 10);
  return now().toISOString().slice(0, 10);
}
