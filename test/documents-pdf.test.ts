/**
 * The Word documents, rendered as a reader sees them: every example's summary and a redline
 * are converted to PDF by LibreOffice (one `soffice --headless` run for all of them, with its
 * own profile so that it never waits on another LibreOffice) and read back with poppler:
 * - `pdfinfo`: US Letter (612 × 792 pt), or A4 when asked;
 * - `pdftotext`, page by page: "Page i of N" on every page, the header (exhibit label and
 *   contract) and DRAFT on every page of a draft;
 * - no word broken across lines anywhere, table cells included: every word of the PDF is a
 *   word of the document (a word cut in two leaves pieces that are not);
 * - the redline's tracked changes carry their author and date, and accepting them all gives
 *   the later version's summary, rejecting them all the earlier one's.
 * Page images of the algebra pilot's summary and redline are written to test-artifacts/.
 * LibreOffice and poppler-utils are installed by `.ci/setup`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ContractIR } from "../language/check/ir.ts";
import { compileSource } from "../language/driver.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";
import { diffContracts } from "../engine/diff/index.ts";
import { redlineDocument } from "../engine/diff/redline.ts";
import { plainText, summarize, summarizeContract, toDocx, type SummaryDoc } from "../engine/summary/index.ts";

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
  // page images of the algebra pilot's summary and of the redline, to look at
  mkdirSync("test-artifacts", { recursive: true });
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "3", join(dir, "03-algebra-pilot-contract.pdf"), "test-artifacts/summary-algebra-pilot"]);
  execFileSync("pdftoppm", ["-png", "-r", "80", "-f", "1", "-l", "3", join(dir, "redline.pdf"), "test-artifacts/redline-algebra-pilot"]);
}, 400_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    expect([...rendered.keys()].length).toBe(examples().length + 2);
    for (const r of rendered.values()) expect(r.pages.length, r.name).toBeGreaterThan(0);
  });

  it("prints on US Letter, or on A4 when asked", () => {
    for (const r of rendered.values()) expect(r.size, r.name).toBe(r.name === "duval-a4" ? "595.304 x 841.89" : "612 x 792");
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

  it("shows the worked examples in a schedule at the end, under their own header", () => {
    const pilot = rendered.get("03-algebra-pilot-contract")!;
    const first = pilot.pages.findIndex((p) => /Schedule A\.\s+Worked examples/.test(p));
    expect(first).toBeGreaterThan(0);
    for (const p of pilot.pages.slice(first)) expect(p).toContain("Exhibit A, Schedule A: Worked examples");
    for (const p of pilot.pages.slice(0, first)) expect(p).not.toContain("Schedule A: Worked examples, version");
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
