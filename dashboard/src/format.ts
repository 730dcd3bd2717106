/**
 * How the dashboard writes amounts and dates. Amounts come from the desk as decimal strings
 * ("1080.00") and are printed from the string, as `obc run` prints them.
 */
import { formatMoney } from "../../engine/report.ts";

const SYMBOLS: Record<string, string> = { USD: "$", GBP: "£", EUR: "€" };

/** "1080.00" → "$1,080.00"; null (unbounded) → "unbounded". */
export function money(amount: string | null | undefined, currency: string): string {
  return amount === null || amount === undefined ? "unbounded" : formatMoney(amount, currency);
}

/** A compact amount for chart axes: $1.2M, $350k. */
export function short(v: number, currency: string): string {
  const sym = SYMBOLS[currency] ?? "";
  const a = Math.abs(v);
  const s = a >= 1e6 ? `${(a / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M` : a >= 1e3 ? `${(a / 1e3).toFixed(0)}k` : a.toFixed(0);
  return `${v < 0 ? "-" : ""}${sym}${s}`;
}

/** A decimal string as a number, for placing marks only. */
export const num = (s: string | null | undefined): number => (s === null || s === undefined ? 0 : Number(s));

/** The last day of a month "2027-01" → "2027-01-31". */
export function monthEnd(month: string): string {
  const [y, m] = [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

/** Bytes as base64 (how the dashboard sends a file's exact bytes). */
export function base64Of(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
