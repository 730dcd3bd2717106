/** What the portfolio tests share. */
import type { AggregateCell, FunderAggregate } from "../node/aggregate.ts";

/** Published cells of an aggregate about fewer than `min` students (a cell about no student paid is allowed). */
export function smallCells(a: FunderAggregate, min: number): string[] {
  const bad: string[] = [];
  const check = (where: string, c: AggregateCell) => {
    if (!c.suppressed && c.students !== undefined && c.students > 0 && c.students < min) bad.push(where);
  };
  for (const g of [a.total, ...a.groups]) {
    check(`${g.dimension}/${g.group}/students`, g.students);
    check(`${g.dimension}/${g.group}/paid`, g.paid);
    for (const [k, c] of Object.entries(g.clauses)) check(`${g.dimension}/${g.group}/${k}`, c);
    for (const [k, c] of Object.entries(g.payers)) check(`${g.dimension}/${g.group}/${k}`, c);
  }
  return bad;
}
