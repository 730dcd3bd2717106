/**
 * The desk's JSON: every amount is held in cents as a bigint and written as a decimal string in
 * major units with two decimals ("1080.00", "-12.50"), like `obc run --json`. Output is
 * 2-space indented, so the same inputs give the same bytes.
 */
import { fromCents } from "../ledger/index.ts";

/** JSON text of a value whose bigints are cents. */
export function deskJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? fromCents(v) : v), 2) + "\n";
}
