/**
 * The fast engine (browser-safe entry): compiled closures instead of json-rules-engine.
 *
 *   tryFastDecide(ir, rows, rt, text) → the decisions of a run, or undefined when the contract
 *     uses something the fast engine does not reproduce (the caller then uses the reference).
 *
 * Bulk runs without reasons (`bulk.ts`), simulation (`simulate.ts`) and the worker-thread
 * driver (`node-parallel.ts`, Node only) build on the same compiled program.
 */
import type * as A from "../../language/ast.ts";
import type { ContractIR } from "../../language/check/ir.ts";
import type { DataRow } from "../data.ts";
import type { Runtime } from "../run.ts";
import { fastDecide, type FastDecisions } from "./decide.ts";
import { FastUnsupported } from "./expr.ts";

export { FastUnsupported } from "./expr.ts";

/** The decisions of a run by the fast engine; its problems are appended to `rt.problems`. */
export function tryFastDecide(ir: ContractIR, rows: Map<string, DataRow[]>, rt: Runtime, text: (s: A.Span) => string): FastDecisions | undefined {
  let d: FastDecisions;
  try {
    d = fastDecide(ir, rows, rt, text);
  } catch (e) {
    if (e instanceof FastUnsupported) return undefined;
    throw e;
  }
  for (const p of d.problems) rt.problems.push(p);
  return d;
}
