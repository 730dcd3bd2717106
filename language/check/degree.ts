/**
 * The degree of a value as a product: how many values it multiplies (or divides) together,
 * counting the metrics it reads through their definitions. Exact arithmetic keeps every digit,
 * so a value's size grows with its degree: `r * r * … * r` 5,000 times, or a metric squaring
 * the one before it thirty times, has numbers too long to compute. The checker refuses a degree
 * above MAX_PRODUCT_DEGREE (OBC2028); a sum never raises it (its terms' largest degree).
 */
import type * as A from "../ast.ts";

/**
 * `name` gives the degree of a declared name (a metric's, as measured when it was defined; a
 * field's is 1); literals have none. Nesting is bounded by the parser and chains are flat, so
 * this recursion is bounded too; definitions are not followed (their degree is looked up).
 */
export function productDegree(e: A.Expr, name: (n: string) => number | undefined): number {
  const d = (x: A.Expr): number => productDegree(x, name);
  switch (e.$type) {
    case "NumberLit": case "MoneyLit": case "PercentLit": case "DateLit": case "StringLit": case "BoolLit": case "ClauseRef":
      return 0;
    case "NameRef":
      return name(e.name) ?? 1;
    case "Arithmetic": {
      const ds = e.operands.map(d);
      // one chain has operators of one precedence: all + and -, or all * and /
      return e.ops[0] === "*" || e.ops[0] === "/" ? ds.reduce((a, b) => a + b, 0) : Math.max(...ds);
    }
    case "PercentOf":
      return d(e.percent) + d(e.of);
    case "Unary":
      return d(e.operand);
    case "Otherwise":
      return Math.max(...e.values.map(d));
    case "Call":
      return Math.max(0, ...e.args.map(d));
    case "Aggregate":
      return e.value ? Math.max(1, d(e.value)) : 1;
    case "EventAggregate":
      return e.value ? Math.max(1, d(e.value)) : 1;
    // conditions are true or false; counts and dates are whole numbers
    default:
      return 1;
  }
}
