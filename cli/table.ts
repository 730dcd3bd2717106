/**
 * A small aligned-column printer for terminal tables (no table library is installed).
 *
 * Columns are separated by two spaces; a dashed rule goes under the header and wherever a row
 * is the {@link SEPARATOR}. A cell may hold several lines (split on "\n"); the row is as tall as
 * its tallest cell. Widths count Unicode code points, which is right for the text OBC prints.
 */

export type Align = "left" | "right";

/** A row that draws a dashed rule across the table (e.g. above a totals row). */
export const SEPARATOR = Symbol("separator");

export type Row = string[] | typeof SEPARATOR;

export interface TableOptions {
  /** alignment per column; columns not listed are left-aligned */
  align?: Align[];
  /** text put before every line, e.g. "  " */
  indent?: string;
}

function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number, align: Align): string {
  const fill = " ".repeat(Math.max(0, w - width(s)));
  return align === "right" ? fill + s : s + fill;
}

/**
 * Lays out a table as text.
 * @param header the column titles
 * @param rows the rows: arrays of cells (missing cells print empty) or {@link SEPARATOR}
 * @param opts alignment per column and an indent
 * @returns the lines joined by "\n", with a final "\n"; trailing spaces are trimmed
 */
export function renderTable(header: string[], rows: Row[], opts: TableOptions = {}): string {
  const align = (i: number): Align => opts.align?.[i] ?? "left";
  const indent = opts.indent ?? "";
  const cellLines = (row: string[]) => header.map((_, i) => (row[i] ?? "").split("\n"));
  const widths = header.map((h, i) =>
    Math.max(width(h), ...rows.map((r) => (r === SEPARATOR ? 0 : Math.max(...cellLines(r)[i].map(width))))),
  );
  const line = (cells: string[]) =>
    (indent + cells.map((c, i) => pad(c, widths[i], align(i))).join("  ")).trimEnd();
  const rule = (indent + widths.map((w) => "-".repeat(w)).join("  ")).trimEnd();

  const out = [line(header), rule];
  for (const r of rows) {
    if (r === SEPARATOR) {
      out.push(rule);
      continue;
    }
    const cells = cellLines(r);
    const height = Math.max(...cells.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(line(cells.map((c) => c[k] ?? "")));
  }
  return out.join("\n") + "\n";
}
