/** Money as the engine writes it ("1080.00", major units, exact) and as people read it ("$1,080.00"), as `obc run` prints it. */
import { formatMoney as printMoney } from "../../engine/report.ts";

/** "1234567.5" → "$1,234,567.50"; "-150.00" → "-$150.00"; no amount: "no limit". */
export function formatMoney(amount: string | undefined, currency = "USD"): string {
  return amount === undefined ? "no limit" : printMoney(amount, currency);
}

/** "1080.00" → 108000n cents (exact; extra decimals are cut). */
export function toCents(amount: string): bigint {
  const negative = amount.startsWith("-");
  const [whole = "0", frac = ""] = amount.replace(/^-/, "").split(".");
  const cents = BigInt(whole || "0") * 100n + BigInt((frac + "00").slice(0, 2));
  return negative ? -cents : cents;
}

/** 108000n → "1080.00" */
export function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? "-" : ""}${abs / 100n}.${String(abs % 100n).padStart(2, "0")}`;
}

/** A number for sorting and charts (not for arithmetic on money). */
export function moneyValue(amount: string): number {
  return Number(amount);
}
