/** The analysis figures: what one student can earn under the contract, without data. */
import type { ContractIR } from "../../../language/check/ir.ts";
import { studentBounds } from "../../../engine/index.ts";
import { Rational } from "../../../engine/rational.ts";
import type { BoundsDTO } from "./protocol.ts";

const money = (r: Rational | undefined): string | undefined => r?.toDecimalString(2);
/** "1600" → "1600.00" */
const decimal = (text: string): string | undefined => Rational.tryParse(text)?.toDecimalString(2);

export function boundsOf(ir: ContractIR): BoundsDTO {
  const b = studentBounds(ir);
  const maxOf = new Map(b.clauses.map((c) => [c.clause, c.max]));
  let uncapped: Rational | undefined;
  let unbounded = false;
  for (const id of b.maxClauses) {
    const m = maxOf.get(id);
    if (!m) unbounded = true;
    else uncapped = uncapped ? uncapped.add(m) : m;
  }
  const dto: BoundsDTO = {
    clauses: b.clauses.map((c) => ({ id: c.clause, name: c.name, ...opt("min", money(c.min)), ...opt("max", money(c.max)) })),
    maxClauses: b.maxClauses,
    cohortClauses: ir.cohorts.map((c) => c.name),
    ...opt("maxPerStudent", money(b.max)),
    ...opt("minPerStudent", money(b.min)),
    ...opt("uncappedMax", unbounded ? undefined : money(uncapped ?? Rational.ZERO)),
    ...opt("studentCap", ir.studentCap ? decimal(ir.studentCap.amount.value) : undefined),
    ...opt("contractCap", ir.contractCap ? decimal(ir.contractCap.amount.value) : undefined),
    ...opt("floor", ir.floor ? decimal(`${ir.floor.amount.negative ? "-" : ""}${ir.floor.amount.value}`) : undefined),
  };
  return dto;
}

function opt<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
