/**
 * Students and their payment lines: one row per student with what each clause paid,
 * sortable by any column, filtered by a search box; each row expands to the lines' reasons.
 */
import { Fragment, useId, useMemo, useState } from "react";
import type { RunResult, StudentResult } from "../../../engine/index.ts";
import { LINE_CELL_LEGEND, lineCell } from "../../../engine/report.ts";
import { formatMoney, fromCents, moneyValue, toCents } from "../money.ts";

export interface StudentsTableProps {
  result: RunResult;
}

type SortKey = "id" | "total" | "withheld" | `clause:${string}`;

function paidFor(s: StudentResult, clause: string): string | undefined {
  return s.lines.find((l) => l.clause === clause)?.paid;
}

/** The cents withheld from a student's lines (exact). */
function withheldOf(s: StudentResult): bigint {
  return s.lines.reduce((sum, l) => sum + toCents(l.withheld), 0n);
}

export function StudentsTable({ result }: StudentsTableProps) {
  const [filter, setFilter] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: "id", dir: 1 });
  const [open, setOpen] = useState<Set<string>>(new Set());
  const filterId = useId();
  const money = (m: string | undefined) => (m === undefined ? "—" : formatMoney(m, result.contract.currency));

  const clauses = useMemo(() => {
    const seen = new Map<string, string>();
    for (const s of result.students) for (const l of s.lines) if (!seen.has(l.clause)) seen.set(l.clause, l.clauseName);
    return [...seen].map(([id, name]) => ({ id, name }));
  }, [result]);

  const rows = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const matches = (s: StudentResult) =>
      q === "" || s.id.toLowerCase().includes(q) || s.lines.some((l) => l.status === "met" && l.clauseName.toLowerCase().includes(q));
    const value = (s: StudentResult): string | number => {
      if (sort.key === "id") return s.id;
      if (sort.key === "total") return moneyValue(s.total);
      if (sort.key === "withheld") return Number(withheldOf(s));
      return moneyValue(paidFor(s, sort.key.slice("clause:".length)) ?? "0");
    };
    return result.students.filter(matches).sort((a, b) => {
      const x = value(a);
      const y = value(b);
      const c = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
      return c * sort.dir || a.id.localeCompare(b.id, undefined, { numeric: true });
    });
  }, [result, filter, sort]);

  const toggle = (id: string) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const header = (key: SortKey, label: string, numeric = false, extra = "") => {
    const active = sort.key === key;
    return (
      <th scope="col" className={`${numeric ? "num" : "sticky"}${extra}`} aria-sort={active ? (sort.dir === 1 ? "ascending" : "descending") : "none"}>
        <button type="button" className="sort" onClick={() => setSort({ key, dir: active ? (sort.dir === 1 ? -1 : 1) : numeric ? -1 : 1 })}>
          {label}
          <span aria-hidden="true">{active ? (sort.dir === 1 ? " ▲" : " ▼") : " ↕"}</span>
        </button>
      </th>
    );
  };

  const columns = clauses.length + 3;
  return (
    <section className="students" aria-labelledby="students-heading">
      <h3 id="students-heading">Students ({rows.length} of {result.students.length})</h3>
      <div className="field">
        <label htmlFor={filterId}>Filter by student id or clause met</label>
        <input id={filterId} type="search" value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="e.g. P1 or Algebra" />
      </div>
      <div className="table-scroll">
        <table className="data students-table">
          <thead>
            <tr>
              {header("id", "Student")}
              {clauses.map((c) => <Fragment key={c.id}>{header(`clause:${c.id}`, c.name, true)}</Fragment>)}
              {header("withheld", "Withheld", true)}
              {header("total", "Total", true, " sticky-end")}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => {
              const expanded = open.has(s.id);
              return (
                <Fragment key={s.id}>
                  <tr>
                    <th scope="row" className="sticky">
                      <button type="button" className="expand" aria-expanded={expanded} aria-controls={`reasons-${s.id}`} onClick={() => toggle(s.id)}>
                        <span aria-hidden="true">{expanded ? "▾" : "▸"}</span>
                        <span className="sr-only">Reasons for</span>
                      </button>{" "}
                      {s.id}
                    </th>
                    {clauses.map((c) => {
                      // as obc run prints it: the amount when met, "missing", or "-"
                      const line = s.lines.find((l) => l.clause === c.id);
                      const text = lineCell(line, (a) => formatMoney(a, result.contract.currency));
                      return (
                        <td key={c.id} className={`num${line?.status === "missing" ? " cell-missing" : line?.status !== "met" ? " cell-status" : ""}`} title={line ? `${line.status}: ${line.reason}` : "no line: not eligible"}>
                          {text}
                        </td>
                      );
                    })}
                    <td className="num">{formatMoney(fromCents(withheldOf(s)), result.contract.currency)}</td>
                    <td className="num strong sticky-end">{money(s.total)}</td>
                  </tr>
                  {expanded && (
                    <tr id={`reasons-${s.id}`} className="reasons">
                      <td colSpan={columns}>
                        <div className="reasons-body">
                        <ul>
                          {s.lines.map((l) => (
                            <li key={l.clause}>
                              <span className={`status status-${l.status}`}>{l.status}</span> <strong>{l.clauseName}</strong>: {money(l.paid)}
                              {l.weight !== "1" ? ` (weight ${l.weight})` : ""}
                              {l.withheld !== "0.00" ? `, ${money(l.withheld)} withheld` : ""}. {l.reason}
                              {l.conditions.length > 0 && (
                                <ul className="conditions">
                                  {l.conditions.map((c, i) => (
                                    <li key={i}>
                                      <code>{c.text}</code> → {c.result}
                                      {Object.keys(c.values).length > 0 && ` (${Object.entries(c.values).map(([k, v]) => `${k} = ${v}`).join(", ")})`}
                                    </li>
                                  ))}
                                </ul>
                              )}
                            </li>
                          ))}
                        </ul>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" className="sticky">All students</th>
              {clauses.map((c) => <td key={c.id} className="num">{money(result.totals.byClause[c.id])}</td>)}
              <td className="num">{money(fromCents(result.students.reduce((sum, st) => sum + st.lines.reduce((x, l) => x + toCents(l.withheld), 0n), 0n)))}</td>
              <td className="num strong sticky-end">{money(fromCents(result.students.reduce((sum, st) => sum + toCents(st.total), 0n)))}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <p className="small muted">{LINE_CELL_LEGEND}.</p>
    </section>
  );
}
