/**
 * A statement as documents: Word (.docx), Excel (.xlsx) and CSV. The same statement gives the
 * same bytes (the issue date stamps the Office files; no clock is read).
 *
 *   statementCsv(s) · statementXlsx(s) · statementDocx(s)
 */
import ExcelJS from "exceljs";
import { AlignmentType, BorderStyle, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from "docx";
import { deterministic } from "../../engine/summary/docx.ts";
import { formatCents } from "../cli-support.ts";
import { fromCents } from "../ledger/index.ts";
import type { Statement } from "./statement.ts";

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

const kindWord = (k: "payment" | "adjustment") => (k === "payment" ? "payments" : "adjustment");

/** The statement as CSV: one row per figure, in the order of the Word statement. */
export function statementCsv(s: Statement): string {
  const head = ["statement", "payer", "period_from", "period_to", "contract", "section", "clause", "kind", "reason", "lines", "students", "amount"];
  const out = [head.join(",")];
  const row = (contract: string, section: string, r: { clause?: string; kind?: string; reason?: string; lines?: number; students?: number }, amount: bigint) =>
    out.push([s.number, s.payer, s.from, s.to, contract, section, r.clause ?? "", r.kind ?? "", r.reason ?? "", r.lines ?? "", r.students ?? "", fromCents(amount)].map(csvCell).join(","));
  for (const c of s.contracts) {
    row(c.id, "previously settled", {}, c.opening);
    for (const r of s.rows.filter((x) => x.contract === c.id)) row(c.id, "line", r, r.amount);
    row(c.id, "net this period", {}, c.net);
    row(c.id, "settled to date", {}, c.closing);
    row(c.id, "withheld", {}, c.withheld);
  }
  row("all contracts", "previously settled", {}, s.opening);
  row("all contracts", "payments", {}, s.payments);
  row("all contracts", "adjustments", {}, s.adjustments);
  row("all contracts", "net this period", {}, s.net);
  row("all contracts", "settled to date", {}, s.closing);
  row("all contracts", "withheld", {}, s.withheld);
  return out.join("\n") + "\n";
}

const title = (s: Statement) => `Statement ${s.number}`;
const periodText = (s: Statement) => `${s.from} to ${s.to}`;
const reconciliation = (s: Statement) =>
  s.ledger.reconciles
    ? `Reconciled: the ${s.ledger.lines} ledger line${s.ledger.lines === 1 ? "" : "s"} for ${s.payer} recorded by ${s.to} add up to ${formatCents(s.ledger.total, s.currency)}, the total settled to date on this statement.`
    : `NOT RECONCILED: the ledger's lines for ${s.payer} recorded by ${s.to} add up to ${formatCents(s.ledger.total, s.currency)}, but this statement's total settled to date is ${formatCents(s.closing, s.currency)}.`;

// ───────────────────────────── Excel ─────────────────────────────

/** The statement as an Excel workbook: Statement (summary), Lines (grouped) and Detail (every ledger line of the period). */
export async function statementXlsx(s: Statement): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const when = new Date(`${s.issued}T00:00:00Z`);
  wb.creator = "OBC";
  wb.lastModifiedBy = "OBC";
  wb.created = when;
  wb.modified = when;
  const money = "#,##0.00";
  const amount = (c: bigint) => Number(c) / 100;
  const bold = { bold: true };

  const sum = wb.addWorksheet("Statement");
  sum.columns = [{ width: 28 }, { width: 34 }, { width: 30 }, { width: 16 }, { width: 14 }, { width: 14 }, { width: 16 }, { width: 16 }, { width: 14 }];
  sum.addRow([title(s)]).font = { bold: true, size: 14 };
  for (const [k, v] of [
    ["Payer", s.payer],
    ["Portfolio", s.portfolio],
    ...(s.intermediary ? [["Issued by", s.intermediary]] : []),
    ["Period", periodText(s)],
    ["Issued", s.issued],
    ["Currency", s.currency],
  ]) {
    const r = sum.addRow([k, v]);
    r.getCell(1).font = bold;
  }
  sum.addRow([]);
  const header = sum.addRow(["Contract", "District", "Provider", "Previously settled", "Payments", "Adjustments", "Net this period", "Settled to date", "Withheld"]);
  header.font = bold;
  for (const c of s.contracts) {
    const r = sum.addRow([c.id, c.district, c.provider, amount(c.opening), amount(c.payments), amount(c.adjustments), amount(c.net), amount(c.closing), amount(c.withheld)]);
    for (let i = 4; i <= 9; i++) r.getCell(i).numFmt = money;
  }
  const t = sum.addRow(["Total", "", "", amount(s.opening), amount(s.payments), amount(s.adjustments), amount(s.net), amount(s.closing), amount(s.withheld)]);
  t.font = bold;
  for (let i = 4; i <= 9; i++) t.getCell(i).numFmt = money;
  sum.addRow([]);
  sum.addRow([`Amount due for the period: ${formatCents(s.net, s.currency)}`]).font = bold;
  sum.addRow([reconciliation(s)]);
  sum.addRow(["Withheld amounts are held back by escalation withholdings and are not payable until released."]);

  const lines = wb.addWorksheet("Lines");
  lines.columns = [{ width: 28 }, { width: 24 }, { width: 12 }, { width: 60 }, { width: 8 }, { width: 10 }, { width: 14 }];
  lines.addRow(["Contract", "Clause", "Kind", "Reason", "Lines", "Students", "Amount"]).font = bold;
  for (const r of s.rows) lines.addRow([r.contract, r.clauseName, kindWord(r.kind), r.reason, r.lines, r.students, amount(r.amount)]).getCell(7).numFmt = money;

  const detail = wb.addWorksheet("Detail");
  const cols = ["Settlement", "Recorded", "Contract", ...(s.district ? ["Student"] : []), "Clause", "Period", "Kind", "Amount", "Reason"];
  detail.columns = cols.map((h) => ({ width: h === "Reason" ? 60 : h === "Student" || h === "Contract" ? 26 : 14 }));
  detail.addRow(cols).font = bold;
  for (const d of s.detail) {
    const r = detail.addRow([d.settlement, d.recorded, d.contract, ...(s.district ? [d.student] : []), d.clause, d.period, d.kind, amount(d.amount), d.reason]);
    r.getCell(cols.indexOf("Amount") + 1).numFmt = money;
  }
  return deterministic(new Uint8Array(await wb.xlsx.writeBuffer()), s.issued);
}

// ───────────────────────────── Word ─────────────────────────────

const FONT = "Georgia";
const border = { style: BorderStyle.SINGLE, size: 4, color: "888888" };
const borders = { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };

function cell(text: string, o: { bold?: boolean; right?: boolean; shade?: boolean } = {}): TableCell {
  return new TableCell({
    children: [new Paragraph({ alignment: o.right ? AlignmentType.RIGHT : AlignmentType.LEFT, children: [new TextRun({ text, bold: o.bold ?? false, font: FONT, size: 18 })] })],
    ...(o.shade ? { shading: { fill: "EEEEEE" } } : {}),
  });
}

/** The text width of a landscape Letter page with 1-inch margins, in twips. */
const WIDTH = 12960;

/** A table: `widths` are shares of the text width; without a header, every row is a body row. */
function table(header: string[] | undefined, rows: string[][], o: { right?: Set<number>; widths: number[]; totalRow?: boolean }): Table {
  const sum = o.widths.reduce((a, b) => a + b, 0);
  const columnWidths = o.widths.map((w) => Math.floor((w / sum) * WIDTH));
  const right = o.right ?? new Set<number>();
  return new Table({
    width: { size: WIDTH, type: WidthType.DXA },
    columnWidths,
    borders,
    rows: [
      ...(header ? [new TableRow({ tableHeader: true, children: header.map((h, i) => cell(h, { bold: true, shade: true, right: right.has(i) })) })] : []),
      ...rows.map((r, k) => new TableRow({ children: r.map((x, i) => cell(x, { right: right.has(i), bold: (o.totalRow ?? false) && k === rows.length - 1 })) })),
    ],
  });
}

const para = (text: string, o: { bold?: boolean; italics?: boolean } = {}) => new Paragraph({ spacing: { after: 120 }, children: [new TextRun({ text, font: FONT, bold: o.bold ?? false, italics: o.italics ?? false })] });

/** The statement as a Word document. */
export async function statementDocx(s: Statement): Promise<Uint8Array> {
  const m = (c: bigint) => formatCents(c, s.currency);
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.TITLE, children: [new TextRun(title(s))] }),
    para(`${s.portfolio}${s.intermediary ? `, issued by ${s.intermediary}` : ""}`, { italics: true }),
    table(
      undefined,
      [
        ["Payer", s.payer],
        ["Statement number", s.number],
        ["Period", periodText(s)],
        ["Issued", s.issued],
        ["Currency", s.currency],
        ["Amount due for the period", m(s.net)],
      ],
      { widths: [1, 2] },
    ),
    new Paragraph({ children: [] }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun("1. Summary by contract")] }),
    table(
      ["Contract", "District × provider", "Previously settled", "Payments", "Adjustments", "Net this period", "Settled to date", "Withheld"],
      [
        ...s.contracts.map((c) => [c.id, `${c.district} × ${c.provider}`, m(c.opening), m(c.payments), m(c.adjustments), m(c.net), m(c.closing), m(c.withheld)]),
        ["Total", "", m(s.opening), m(s.payments), m(s.adjustments), m(s.net), m(s.closing), m(s.withheld)],
      ],
      { right: new Set([2, 3, 4, 5, 6, 7]), widths: [1.9, 2.3, 1.6, 1.6, 1.6, 1.6, 1.6, 1.3], totalRow: true },
    ),
    para("Withheld amounts are held back from this payer's share by escalation withholdings in force; they are not payable until released.", { italics: true }),
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun("2. Payments and adjustments in the period")] }),
  ];
  if (s.rows.length === 0) children.push(para("Nothing was settled for this payer in the period."));
  for (const c of s.contracts) {
    const rows = s.rows.filter((r) => r.contract === c.id);
    if (rows.length === 0) continue;
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(`${c.title} (${c.id})`)] }));
    children.push(para(`${c.district} with ${c.provider}. Settlements ${c.settlements.map((x) => `#${x.id} (data as of ${x.asOf}, recorded ${x.recorded.slice(0, 10)})`).join(", ")}.`));
    children.push(
      table(
        ["Clause", "Kind", "Reason", "Lines", "Students", "Amount"],
        [...rows.map((r) => [r.clauseName, kindWord(r.kind), r.reason || "-", String(r.lines), String(r.students), m(r.amount)]), ["Net this period", "", "", "", "", m(c.net)]],
        { right: new Set([3, 4, 5]), widths: [1.8, 1.3, 4.6, 0.8, 1.1, 1.6], totalRow: true },
      ),
    );
    children.push(new Paragraph({ children: [] }));
  }
  children.push(new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun("3. Reconciliation")] }));
  children.push(para(`Previously settled ${m(s.opening)} + net this period ${m(s.net)} = settled to date ${m(s.closing)}.`));
  children.push(para(reconciliation(s), { bold: !s.ledger.reconciles }));
  children.push(para(s.district ? "The Excel statement lists every ledger line of the period by student key." : "Student-level lines are not shown to funders; the Excel statement lists every ledger line of the period without student keys.", { italics: true }));
  const document = new Document({
    creator: "OBC",
    title: title(s),
    description: `${s.payer}, ${periodText(s)}`,
    styles: { default: { document: { run: { font: FONT, size: 20 } } } },
    sections: [{ properties: { page: { size: { width: 12240, height: 15840, orientation: "landscape" } } }, children }],
  });
  return deterministic(new Uint8Array(await Packer.toArrayBuffer(document)), s.issued);
}
