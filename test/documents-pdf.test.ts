/**
 * The Word documents, rendered as a reader sees them: every example's summary, an amended
 * contract's and a redline are converted to PDF by LibreOffice (one `soffice --headless` run for
 * all of them, with its own profile so that it never waits on another LibreOffice) and read
 * back with poppler:
 * - `pdfinfo`: US Letter (612 × 792 pt), or A4 when asked; margins of one inch;
 * - `pdftotext`, page by page: "Page i of N" on every page, the header (exhibit label, contract
 *   and the version the page shows) and DRAFT on every page of a draft; headings numbered and
 *   cross-references resolved by LibreOffice; a table's header row on each page it runs onto;
 * - no word broken across lines anywhere, table cells included: every word of the PDF is a
 *   word of the document (a word cut in two leaves pieces that are not);
 * - the redline, opened in LibreOffice by a Basic macro: its tracked changes carry their author
 *   and date, and accepting them all gives the later version's summary, rejecting them all the
 *   earlier one's.
 * Page images of the algebra pilot's summary and redline are written to test-artifacts/.
 * LibreOffice and poppler-utils are installed by `.ci/setup`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContractIR } from "../language/check/ir.ts";
import { compileSource } from "../language/driver.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import { diffContracts } from "../engine/diff/index.ts";
import { redlineDocument } from "../engine/diff/redline.ts";
import { plainText, summarize, summarizeContract, toDocx, type Block, type Section, type SummaryDoc } from "../engine/summary/index.ts";

const GENERATED = "2027-01-05";

function load(path: string): { ir: ContractIR; source: string } {
  const source = readFileSync(path, "utf8");
  const c = compileSource(source, { resolver: nodeResolver(path) });
  if (!c.ok || !c.ir) throw new Error(`${path} does not compile`);
  return { ir: c.ir, source };
}

interface Rendered {
  name: string;
  doc: SummaryDoc;
  docx: Uint8Array;
  pages: string[];
  size: string;
}

const dir = mkdtempSync(join(tmpdir(), "obc-pdf-"));
const rendered = new Map<string, Rendered>();

function examples(): string[] {
  const out: string[] = [];
  for (const d of readdirSync("examples").sort()) for (const f of readdirSync(join("examples", d)).sort()) if (f.endsWith(".obc")) out.push(join("examples", d, f));
  return out;
}

beforeAll(async () => {
  const docs: { name: string; doc: SummaryDoc }[] = [];
  for (const path of examples()) {
    const { ir, source } = load(path);
    docs.push({ name: `${basename(join(path, ".."))}-${basename(path, ".obc")}`, doc: await summarizeContract(ir, source, { sourceName: path, generated: GENERATED, obcVersion: "0.1.0" }) });
  }
  // A4 when asked
  const duval = load("examples/01-duval-2022/contract.obc");
  docs.push({ name: "duval-a4", doc: summarize(duval.ir, duval.source, { paper: "a4", status: "for-signature", exhibit: "Exhibit C", generated: GENERATED }) });
  // the algebra pilot amended in the same file: the body under version 1.1, worked examples under each version
  const pilot = readFileSync("examples/03-algebra-pilot/contract.obc", "utf8");
  const amended = `${pilot.slice(0, pilot.lastIndexOf("}"))}  amendment "1.1" effective 2027-01-01 {
    outcome "Algebra ready" pays $1,000 per identified student
      when enrolled_for_testing and eoy_score >= 70
      if missing: not met
  }
}
`;
  const amendedIr = compileSource(amended, { resolver: nodeResolver("examples/03-algebra-pilot/contract.obc") }).ir!;
  docs.push({ name: "amended", doc: await summarizeContract(amendedIr, amended, { sourceName: "pilot-amended.obc", generated: GENERATED }) });
  // the redline of the algebra pilot: “Algebra ready” raised, “Dosage” moved
  const older = load("test/versions/amount-change/old.obc");
  const source = readFileSync("test/versions/amount-change/new.obc", "utf8").replace('milestone "Dosage" due 2027-02-28', 'milestone "Dosage" due 2027-03-31');
  const newer = { source, ir: compileSource(source).ir! };
  docs.push({ name: "redline", doc: redlineDocument(older, newer, diffContracts(older.ir, older.source, newer.ir, newer.source), { oldName: "old.obc", newName: "new.obc", generated: GENERATED, author: "Lakeview counsel" }) });

  const files: string[] = [];
  const bytes = new Map<string, Uint8Array>();
  for (const d of docs) {
    const b = await toDocx(d.doc);
    bytes.set(d.name, b);
    const f = join(dir, `${d.name}.docx`);
    writeFileSync(f, b);
    files.push(f);
  }
  const started = Date.now();
  execFileSync("soffice", [`-env:UserInstallation=file://${join(dir, "profile")}`, "--headless", "--convert-to", "pdf", "--outdir", dir, ...files], { stdio: "pipe", timeout: 300_000 });
  console.log(`documents-pdf: ${files.length} documents converted to PDF in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const d of docs) {
    const pdf = join(dir, `${d.name}.pdf`);
    const info = execFileSync("pdfinfo", [pdf], { encoding: "utf8" });
    const text = execFileSync("pdftotext", ["-layout", pdf, "-"], { encoding: "utf8" });
    rendered.set(d.name, { name: d.name, doc: d.doc, docx: bytes.get(d.name)!, pages: text.split("\f").filter((p, i, all) => i < all.length - 1 || p.trim()), size: /Page size:\s+([\d.]+ x [\d.]+)/.exec(info)![1]! });
  }
  // LibreOffice opens the redline, lists its tracked changes, accepts them all and rejects them all
  writeFileSync(join(dir, "earlier.docx"), await toDocx(summarize(older.ir, older.source)));
  writeFileSync(join(dir, "later.docx"), await toDocx(summarize(newer.ir, newer.source)));
  writeFileSync(join(dir, "profile", "user", "basic", "Standard", "Module1.xba"), REDLINE_MACRO);
  execFileSync("soffice", [`-env:UserInstallation=file://${join(dir, "profile")}`, "--headless", `macro:///Standard.Module1.Redline("file://${dir}/","redline","earlier","later")`], { stdio: "pipe", timeout: 120_000 });
  // page images of the algebra pilot's summary and of the redline, to look at
  mkdirSync("test-artifacts", { recursive: true });
  execFileSync("pdftoppm", ["-png", "-r", "80", join(dir, "03-algebra-pilot-contract.pdf"), "test-artifacts/summary-algebra-pilot"]);
  execFileSync("pdftoppm", ["-png", "-r", "80", join(dir, "redline.pdf"), "test-artifacts/redline-algebra-pilot"]);
}, 400_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A LibreOffice Basic macro, run by `soffice --headless macro:///…` from the test's own profile:
 * it opens the redline as a user would, writes each tracked change's type, author and date,
 * then saves the text with every change accepted, and again with every change rejected; it
 * also saves the text of the two summaries compared. An error is written to `.error.txt`.
 */
const REDLINE_MACRO = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Function OpenHidden(url As String) As Object
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  OpenHidden = StarDesktop.loadComponentFromURL(url, "_blank", 0, args())
End Function

Sub SaveText(doc As Object, url As String)
  Dim out(1) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName"
  out(0).Value = "Text (encoded)"
  out(1).Name = "FilterOptions"
  out(1).Value = "UTF8,LF"
  doc.storeToURL(url, out())
End Sub

Sub Apply(dir As String, name As String, command As String, suffix As String)
  Dim doc As Object
  doc = OpenHidden(dir &amp; name &amp; ".docx")
  Dim none() As New com.sun.star.beans.PropertyValue
  If command &lt;&gt; "" Then createUnoService("com.sun.star.frame.DispatchHelper").executeDispatch(doc.getCurrentController().getFrame(), command, "", 0, none())
  SaveText(doc, dir &amp; name &amp; suffix)
  doc.close(True)
End Sub

Sub Redline(dir As String, name As String, earlier As String, later As String)
  On Error Goto Failed
  Dim doc As Object
  doc = OpenHidden(dir &amp; name &amp; ".docx")
  Dim f As Integer
  f = FreeFile()
  Open ConvertFromURL(dir &amp; name &amp; ".changes.txt") For Output As #f
  Dim i As Long
  Dim r As Object
  Dim d As Object
  For i = 0 To doc.getRedlines().getCount() - 1
    r = doc.getRedlines().getByIndex(i)
    d = r.RedlineDateTime
    Print #f, r.RedlineType &amp; "|" &amp; r.RedlineAuthor &amp; "|" &amp; d.Year &amp; "-" &amp; Format(d.Month, "00") &amp; "-" &amp; Format(d.Day, "00")
  Next i
  Close #f
  doc.close(True)
  Apply(dir, name, ".uno:AcceptAllTrackedChanges", ".accepted.txt")
  Apply(dir, name, ".uno:RejectAllTrackedChanges", ".rejected.txt")
  Apply(dir, earlier, "", ".txt")
  Apply(dir, later, "", ".txt")
  Exit Sub
Failed:
  f = FreeFile()
  Open ConvertFromURL(dir &amp; name &amp; ".error.txt") For Output As #f
  Print #f, Error$ &amp; " at line " &amp; Erl
  Close #f
End Sub
</script:module>
`;

/** A text LibreOffice saved, without its byte order mark. */
const saved = (name: string) => readFileSync(join(dir, name), "utf8").replace(/^\uFEFF/, "");

/** The text of a .docx part: every run of text, each paragraph on its own line. */
function partText(docx: Uint8Array, name: string): string {
  const xml = strFromU8(unzipSync(docx)[name]!);
  return xml
    .replace(/<\/w:p>/g, "\n")
    .replace(/<w:tab\/>/g, " ")
    .replace(/<w:instrText[^>]*>[^<]*<\/w:instrText>/g, "")
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}

/** Words as the PDF check compares them: letters and digits, split at spaces, hyphens and slashes. */
function words(text: string): string[] {
  return text.split(/[\s\-/–—]+/).map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "")).filter((w) => /\p{L}/u.test(w));
}

describe("summaries and a redline rendered to PDF by LibreOffice", () => {
  it("renders every example's summary, an A4 summary and a redline", () => {
    expect([...rendered.keys()].length).toBe(examples().length + 3);
    for (const r of rendered.values()) expect(r.pages.length, r.name).toBeGreaterThan(0);
  });

  it("prints on US Letter, or on A4 when asked, with margins of one inch", () => {
    for (const r of rendered.values()) expect(r.size, r.name).toBe(r.name === "duval-a4" ? "595.304 x 841.89" : "612 x 792");
    // with margins of one inch on every side, in every Word section
    for (const r of rendered.values()) {
      const margins = [...strFromU8(unzipSync(r.docx)["word/document.xml"]!).matchAll(/<w:pgMar ([^>]*)\/>/g)].map((m) => m[1]);
      expect(margins.length, r.name).toBeGreaterThan(0);
      for (const m of margins) expect(m, r.name).toMatch(/^w:top="1440" w:right="1440" w:bottom="1440" w:left="1440" /);
    }
  });

  it("numbers every page \"Page i of N\" and repeats the header, with DRAFT on every page of a draft", () => {
    for (const r of rendered.values()) {
      const n = r.pages.length;
      const meta = r.doc.meta!;
      r.pages.forEach((page, i) => {
        const flat = page.replace(/\s+/g, " ");
        expect(flat, `${r.name}, page ${i + 1}`).toContain(`Page ${i + 1} of ${n}`);
        expect(flat, `${r.name}, page ${i + 1}`).toContain(`${meta.exhibit}`);
        expect(flat, `${r.name}, page ${i + 1}`).toContain(r.doc.title.replace(/^Redline of /, "").replace(/[“”]/g, "").slice(0, 20));
        // the header on one line, DRAFT at its end
        const header = page.split("\n").find((l) => l.trim())!.trim();
        expect(header, `${r.name}, page ${i + 1}`).toMatch(new RegExp(`^${meta.exhibit}[:,]`));
        if (meta.status === "draft") expect(header, `${r.name}, page ${i + 1}`).toMatch(/\S\s+DRAFT$/);
        if (meta.status === "draft") expect(flat, `${r.name}, page ${i + 1}`).toContain("DRAFT");
        else expect(flat, `${r.name}, page ${i + 1}`).not.toContain("DRAFT");
        for (const s of meta.sources) expect(flat, `${r.name}, page ${i + 1}`).toContain(s.sha256);
      });
    }
  });

  it("breaks no word across lines, in table cells or anywhere else", () => {
    for (const r of rendered.values()) {
      const parts = Object.keys(unzipSync(r.docx)).filter((p) => /^word\/(document|header\d+|footer\d+)\.xml$/.test(p));
      const vocabulary = new Set(parts.flatMap((p) => words(partText(r.docx, p))));
      // Word's own numbering writes the labels: "Schedule A.", "A.1", "(b)"
      const label = (w: string) => /^(\d+|[a-z]|[A-Z](\.\d+)*|Schedule)$/.test(w);
      const broken = [...new Set(r.pages.flatMap((p) => words(p)).filter((w) => !vocabulary.has(w) && !label(w)))];
      expect(broken, `${r.name}: words in the PDF that are not words of the document`).toEqual([]);
    }
  });

  it("keeps each label of the title block on one line", () => {
    for (const r of rendered.values()) {
      const lines = r.pages[0]!.split("\n").map((l) => l.trim());
      for (const { label } of r.doc.titleBlock) expect(lines.some((l) => l.startsWith(`${label} `) || l === label), `${r.name}: ${label}`).toBe(true);
    }
  });

  it("repeats a table's header row on each page it runs onto, and never splits a row across pages", () => {
    for (const r of rendered.values()) {
      const body = strFromU8(unzipSync(r.docx)["word/document.xml"]!);
      const rows = [...body.matchAll(/<w:tr>(.*?)<\/w:tr>/g)].map((m) => m[1]!);
      expect(rows.length, r.name).toBeGreaterThan(0);
      for (const row of rows) expect(row, r.name).toMatch(/^<w:trPr><w:cantSplit\/>/);
      // every table of the document with a header row marks it to repeat, as its first row
      const tables = (secs: Section[]): Block[] => secs.flatMap((x) => [...x.blocks.filter((b) => b.type === "table" && b.header.length > 0), ...tables(x.sections)]);
      const repeated = body.split("<w:tbl>").slice(1).filter((t) => /^<w:tblPr>.*?<\/w:tblGrid><w:tr><w:trPr><w:cantSplit\/><w:tblHeader\/><\/w:trPr>/.test(t));
      expect(repeated.length, r.name).toBe(tables(r.doc.sections).length);
      expect(body.split("<w:tblHeader/>").length - 1, r.name).toBe(repeated.length);
    }
    // the pilot's checkpoints table in the schedule runs from October to June: every page it is on shows its header
    const pilot = rendered.get("03-algebra-pilot-contract")!;
    const on = (row: RegExp) => pilot.pages.findIndex((p) => row.test(p));
    const first = on(/^\s*2026-10\s+100\.0%/m);
    const last = on(/^\s*2027-06\s+100\.0%/m);
    expect(first).toBeGreaterThan(0);
    expect(last).toBeGreaterThanOrEqual(first);
    for (const p of pilot.pages.slice(first, last + 1)) expect(p).toMatch(/Checkpoint\s+Attendance\s+Level\s+Actions/);
  });

  it("shows the worked examples in a schedule at the end, under their own header", () => {
    const pilot = rendered.get("03-algebra-pilot-contract")!;
    const first = pilot.pages.findIndex((p) => /Schedule A\.\s+Worked examples/.test(p));
    expect(first).toBeGreaterThan(0);
    for (const p of pilot.pages.slice(first)) expect(p).toContain("Exhibit A, Schedule A: Worked examples");
    for (const p of pilot.pages.slice(0, first)) expect(p).not.toContain("Schedule A: Worked examples, version");
  });

  it("names on every page of an amended contract the version the page shows", () => {
    const pages = rendered.get("amended")!.pages.map((p) => p.split("\n").find((l) => l.trim())!.replace(/\s+/g, " ").trim());
    const body = pages.filter((h) => h.startsWith("Exhibit A: plain-language summary of “Algebra readiness pilot”, version 1.1 as amended (consolidated text) DRAFT"));
    const a = pages.filter((h) => h.startsWith("Exhibit A, Schedule A: Worked examples under version 1.0, for “Algebra readiness pilot” DRAFT"));
    const b = pages.filter((h) => h.startsWith("Exhibit A, Schedule B: Worked examples under version 1.1, for “Algebra readiness pilot” DRAFT"));
    expect(body.length).toBeGreaterThan(3);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(body.length + a.length + b.length).toBe(pages.length);
    // in that order: the body, then schedule A, then schedule B
    expect(pages).toEqual([...body, ...a, ...b]);
  });

  it("numbers the headings and resolves each cross-reference to the heading's number", () => {
    const pilot = rendered.get("03-algebra-pilot-contract")!;
    const text = pilot.pages.join("\n").replace(/\s+/g, " ");
    // Word's numbering, as LibreOffice lays it out
    for (const h of ["1. At a glance", "1.2 Who is paid, and when", "6.3 “Algebra ready” (outcome payment)", "10. Funding", "Schedule A. Worked examples", "A.1 Example 1"]) expect(text).toContain(h);
    // each reference is a field LibreOffice computes from the heading it names
    expect(text).toContain("the Funder (40% of each payment) and the District (the rest), as section 10 sets out");
    expect(text).toContain("multiplied by 1.2 (section 7)");
    expect(text).toContain("In the worked examples (Schedule A), the Funder pays");
    expect(text).not.toMatch(/schedule Schedule/i);
  });
});

describe("the redline", () => {
  const xml = () => strFromU8(unzipSync(rendered.get("redline")!.docx)["word/document.xml"]!);

  it("holds tracked insertions and deletions with their author and date", () => {
    const ins = [...xml().matchAll(/<w:ins w:id="\d+" w:author="([^"]+)" w:date="([^"]+)">/g)];
    const del = [...xml().matchAll(/<w:del w:id="\d+" w:author="([^"]+)" w:date="([^"]+)">/g)];
    expect(ins.length).toBeGreaterThan(5);
    expect(del.length).toBeGreaterThan(5);
    for (const m of [...ins, ...del]) expect([m[1], m[2]]).toEqual(["Lakeview counsel", `${GENERATED}T00:00:00Z`]);
    // the clause in context: $900.00 struck, $950.00 inserted, in the sentence of “Algebra ready”
    expect(xml()).toMatch(/an outcome payment of <\/w:t><\/w:r><w:del [^>]+><w:r><w:delText xml:space="preserve">\$900\.00<\/w:delText><\/w:r><\/w:del><w:ins [^>]+><w:r><w:t xml:space="preserve">\$950\.00<\/w:t><\/w:r><\/w:ins>/);
    // and LibreOffice shows both
    const text = rendered.get("redline")!.pages.join("\n");
    expect(text).toContain("$900.00");
    expect(text).toContain("$950.00");
    // the moved deadline whose condition stayed: said in brief, and struck and inserted whole in the clause
    const flat = text.replace(/\s+/g, " ");
    expect(flat).toContain("Knock-on: The condition for 'Dosage' did not move with its deadline: it still reads the number of sessions by 28 February (sessions_by_feb28), so the change only delays the payment");
    expect(xml()).toMatch(/Its deadline, <\/w:t><\/w:r><w:del [^>]+><w:r><w:delText xml:space="preserve">28 February 2027<\/w:delText><\/w:r><\/w:del><w:ins [^>]+><w:r><w:t xml:space="preserve">31 March 2027<\/w:t>/);
  });

  it("opens in LibreOffice with its tracked changes, each with its author and date", () => {
    expect(existsSync(join(dir, "redline.error.txt")) ? saved("redline.error.txt") : "").toBe("");
    const changes = saved("redline.changes.txt").trim().split("\n").map((l) => l.split("|"));
    const count = (kind: string) => changes.filter(([k]) => k === kind).length;
    expect(count("Insert")).toBeGreaterThan(5);
    expect(count("Delete")).toBeGreaterThan(5);
    // every change LibreOffice sees is an insertion or a deletion by the author, dated
    expect(new Set(changes.map((c) => c.join("|")))).toEqual(new Set(["Insert|Lakeview counsel|2027-01-05", "Delete|Lakeview counsel|2027-01-05"]));
  });

  it("accepting every change in LibreOffice gives the later summary, rejecting every change the earlier one", () => {
    // the body, from its first numbered heading: the title block and the changes in brief are the redline's own
    const body = (text: string) => {
      expect(text).toContain("\n1. At a glance\n");
      return text.slice(text.indexOf("\n1. At a glance\n"));
    };
    const accepted = body(saved("redline.accepted.txt"));
    const rejected = body(saved("redline.rejected.txt"));
    expect(accepted).toContain("an outcome payment of $950.00 is payable");
    expect(rejected).toContain("an outcome payment of $900.00 is payable");
    expect(accepted).toBe(body(saved("later.txt")));
    expect(rejected).toBe(body(saved("earlier.txt")));
  });

  it("names both sources' hashes and the date the changes take effect", () => {
    const r = rendered.get("redline")!;
    const rows = Object.fromEntries(r.doc.titleBlock.map((x) => [x.label, x.value.text]));
    expect(rows["Earlier source"]).toMatch(/^SHA-256 [0-9a-f]{64}$/);
    expect(rows["Later source"]).toMatch(/^SHA-256 [0-9a-f]{64}$/);
    expect(rows["Takes effect"]).toBe("Not stated: on the date the later version is signed");
    expect(r.pages.join("\n")).toContain(rows["Later source"]!.slice(8));
  });

  it("accepting every change gives the later summary, rejecting every change the earlier one", () => {
    const body = xml();
    const paragraphs = (x: string) => x
      // a paragraph whose mark is tracked merges into the next one once the change is applied; its text is what counts here
      .replace(/<w:instrText[^>]*>[^<]*<\/w:instrText>/g, "")
      .split("</w:p>")
      .map((p) => p.replace(/<w:delText[^>]*>([^<]*)<\/w:delText>/g, "<w:t>$1</w:t>").replace(/<[^>]+>/g, "").replace(/&amp;/g, "&"))
      .filter((p) => p.trim());
    const accept = paragraphs(body.replace(/<w:del [^>]*>.*?<\/w:del>/g, "").replace(/<w:pPr>((?:(?!<\/w:pPr>).)*)<w:rPr><w:del [^>]*\/><\/w:rPr><\/w:pPr>.*?<\/w:p>/g, "</w:p>"));
    const reject = paragraphs(body.replace(/<w:ins [^>]*>.*?<\/w:ins>/g, "").replace(/<w:pPr>((?:(?!<\/w:pPr>).)*)<w:rPr><w:ins [^>]*\/><\/w:rPr><\/w:pPr>.*?<\/w:p>/g, "</w:p>"));
    const older = load("test/versions/amount-change/old.obc");
    const newer = readFileSync("test/versions/amount-change/new.obc", "utf8").replace('milestone "Dosage" due 2027-02-28', 'milestone "Dosage" due 2027-03-31');
    const after = plainText(summarize(compileSource(newer).ir!, newer));
    const before = plainText(summarize(older.ir, older.source));
    // every sentence of each summary's clauses reads as it does in that summary
    const sentence = (text: string, start: string) => text.split("\n").find((l) => l.startsWith(start))!;
    const clause = "For each Identified Student, an outcome payment of";
    expect(accept.find((p) => p.startsWith(clause))).toBe(sentence(after, clause));
    expect(reject.find((p) => p.startsWith(clause))).toBe(sentence(before, clause));
    const dosage = "Its deadline, ";
    expect(accept.filter((p) => p.startsWith(dosage))).toEqual(after.split("\n").flatMap((l) => l.split(/(?<=\.) (?=Its deadline)/)).filter((l) => l.startsWith(dosage)));
    expect(reject.filter((p) => p.startsWith(dosage))).toEqual(before.split("\n").flatMap((l) => l.split(/(?<=\.) (?=Its deadline)/)).filter((l) => l.startsWith(dosage)));
  });
});
