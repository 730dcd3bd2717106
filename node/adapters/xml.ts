/**
 * A small streaming XML reader for Ed-Fi interchange files (no XML library is installed).
 *
 * Ed-Fi interchanges are regular: one root element (`InterchangeStudent`, …) whose children are
 * records (`Student`, `StudentAssessment`, …). The reader is fed text in chunks of any size and
 * calls `onRecord` with each child of the root as a small tree, so memory is bounded by the
 * largest record, not the file.
 *
 * Supported: elements, attributes (single or double quotes), self-closing tags, text, the five
 * predefined entities and numeric character references, CDATA, comments, processing
 * instructions and a DOCTYPE without an internal subset. Namespace prefixes are dropped
 * (`ann:Doc` → `Doc`). Not supported (reported as malformed): an internal DTD subset and
 * entities other than the predefined ones.
 *
 * Privacy: `keep(path)` decides, per element path below the record, whether the element is built
 * at all; an element that is not kept is skipped with everything inside it, so its text (a name,
 * a birth date) is never stored.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** the element's own text (concatenated, trimmed at the end) */
  text: string;
  /** 1-based line of the start tag */
  line: number;
}

/** The XML is not well-formed; `line` is where the reader noticed. */
export class XmlError extends Error {
  constructor(
    readonly rule: string,
    readonly line: number,
  ) {
    super(`malformed XML (${rule}) at line ${line}`);
  }
}

export interface XmlRecordReaderOptions {
  /** called with the root element's name once it opens */
  onRoot?: (name: string) => void;
  /** called with each child of the root, complete */
  onRecord: (record: XmlElement) => void;
  /** whether to build the element at `path` (names from the record down, e.g. ["Student", "Name", "FirstName"]); default: all */
  keep?: (path: readonly string[]) => boolean;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the predefined entities and character references. */
export function decodeEntities(s: string, line = 0): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z]+);?/g, (all, body: string) => {
    if (!all.endsWith(";")) throw new XmlError("bad-entity", line);
    if (body[0] === "#") {
      const cp = body[1] === "x" || body[1] === "X" ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (!Number.isFinite(cp) || cp < 0 || cp > 0x10ffff) throw new XmlError("bad-char-ref", line);
      return String.fromCodePoint(cp);
    }
    const v = ENTITIES[body];
    if (v === undefined) throw new XmlError("unknown-entity", line);
    return v;
  });
}

const localName = (qname: string) => {
  const i = qname.indexOf(":");
  return i >= 0 ? qname.slice(i + 1) : qname;
};

/** Streaming reader: `write()` chunks, then `end()`. */
export class XmlRecordReader {
  private buf = "";
  private line = 1;
  /** open element names from the root */
  private readonly stack: string[] = [];
  /** elements being built (the record and its kept descendants); undefined for a skipped element */
  private readonly building: (XmlElement | undefined)[] = [];
  private rootSeen = false;
  private rootClosed = false;

  constructor(private readonly opts: XmlRecordReaderOptions) {}

  write(chunk: string): void {
    this.buf += chunk;
    this.drain(false);
  }

  end(): void {
    this.drain(true);
    if (this.buf.trim() !== "") throw new XmlError("unexpected-end", this.line);
    if (!this.rootSeen) throw new XmlError("no-root-element", this.line);
    if (this.stack.length > 0) throw new XmlError("unclosed-element", this.line);
  }

  private advance(text: string): void {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.line++;
  }

  private drain(final: boolean): void {
    let pos = 0;
    const buf = this.buf;
    while (pos < buf.length) {
      const lt = buf.indexOf("<", pos);
      if (lt < 0) {
        // text up to the end: keep it for the next chunk unless final (a tag may follow)
        if (!final) break;
        this.text(buf.slice(pos));
        pos = buf.length;
        break;
      }
      if (lt > pos) {
        this.text(buf.slice(pos, lt));
        pos = lt;
      }
      // a markup token starts at pos
      let end: number;
      if (buf.startsWith("<!--", pos)) {
        end = buf.indexOf("-->", pos + 4);
        if (end < 0) break;
        end += 3;
      } else if (buf.startsWith("<![CDATA[", pos)) {
        end = buf.indexOf("]]>", pos + 9);
        if (end < 0) break;
        this.rawText(buf.slice(pos + 9, end));
        end += 3;
      } else if (buf.startsWith("<?", pos)) {
        end = buf.indexOf("?>", pos + 2);
        if (end < 0) break;
        end += 2;
      } else if (buf.startsWith("<!", pos)) {
        if (buf.length - pos < 9 && !final) break;
        if (!buf.startsWith("<!DOCTYPE", pos)) throw new XmlError("bad-markup", this.line);
        end = buf.indexOf(">", pos);
        if (end < 0) break;
        if (buf.slice(pos, end).includes("[")) throw new XmlError("dtd-subset-not-supported", this.line);
        end += 1;
      } else {
        end = tagEnd(buf, pos);
        if (end < 0) break;
        this.tag(buf.slice(pos, end));
      }
      this.advance(buf.slice(pos, end));
      pos = end;
    }
    this.buf = buf.slice(pos);
  }

  private text(raw: string): void {
    const inRecord = this.building.length > 0;
    if (!inRecord) {
      if (raw.trim() !== "" && (this.stack.length === 0 || this.rootClosed)) throw new XmlError("text-outside-root", this.line);
      this.advance(raw);
      return;
    }
    const el = this.building[this.building.length - 1];
    if (el) el.text += decodeEntities(raw, this.line);
    this.advance(raw);
  }

  private rawText(s: string): void {
    const el = this.building[this.building.length - 1];
    if (el) el.text += s;
  }

  private tag(t: string): void {
    if (t.startsWith("</")) {
      const name = localName(t.slice(2, -1).trim());
      const open = this.stack.pop();
      if (open === undefined || open !== name) throw new XmlError("mismatched-end-tag", this.line);
      if (this.stack.length === 0) {
        this.rootClosed = true;
        return;
      }
      if (this.building.length > 0) {
        const el = this.building.pop();
        if (el) el.text = el.text.trim();
        if (this.building.length === 0 && el) this.opts.onRecord(el);
      }
      return;
    }
    const selfClosing = t.endsWith("/>");
    const inner = t.slice(1, selfClosing ? -2 : -1);
    const m = /^([A-Za-z_][\w.:-]*)/.exec(inner);
    if (!m) throw new XmlError("bad-tag", this.line);
    const name = localName(m[1]);
    const attrs = parseAttributes(inner.slice(m[1].length), this.line);
    if (this.stack.length === 0) {
      if (this.rootClosed || this.rootSeen) throw new XmlError("second-root", this.line);
      this.rootSeen = true;
      this.opts.onRoot?.(name);
      if (!selfClosing) this.stack.push(name);
      else this.rootClosed = true;
      return;
    }
    // depth 1: a record; deeper: inside one
    let el: XmlElement | undefined;
    if (this.stack.length === 1) {
      el = { name, attrs, children: [], text: "", line: this.line };
    } else {
      const parent = this.building[this.building.length - 1];
      if (parent) {
        const path = [...this.stack.slice(1), name];
        if (this.opts.keep === undefined || this.opts.keep(path)) {
          el = { name, attrs, children: [], text: "", line: this.line };
          parent.children.push(el);
        }
      }
    }
    if (selfClosing) {
      if (this.stack.length === 1 && el) this.opts.onRecord(el);
      return;
    }
    this.stack.push(name);
    this.building.push(el);
  }
}

/** The end (exclusive) of a tag starting at `pos`, skipping `>` inside quoted attribute values; -1 when incomplete. */
function tagEnd(buf: string, pos: number): number {
  let quote = "";
  for (let i = pos + 1; i < buf.length; i++) {
    const c = buf[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ">") return i + 1;
    else if (c === "<") throw new XmlError("bad-tag", 0);
  }
  return -1;
}

function parseAttributes(s: string, line: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  const re = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/gy;
  let rest = s;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  let last = 0;
  while ((m = re.exec(rest))) {
    attrs[localName(m[1])] = decodeEntities(m[3] ?? m[4] ?? "", line);
    last = re.lastIndex;
  }
  rest = rest.slice(last);
  if (rest.trim() !== "") throw new XmlError("bad-attribute", line);
  return attrs;
}

// ───────────────────────────── tree helpers ─────────────────────────────

/** The first descendant at a path of child names (`"StudentReference/StudentIdentity/StudentUniqueId"`). */
export function child(el: XmlElement | undefined, path: string): XmlElement | undefined {
  let cur = el;
  for (const name of path.split("/")) {
    if (!cur) return undefined;
    cur = cur.children.find((c) => c.name === name);
  }
  return cur;
}

/** The text at a path, or undefined when absent or blank. */
export function textAt(el: XmlElement | undefined, path: string): string | undefined {
  const t = child(el, path)?.text.trim();
  return t === undefined || t === "" ? undefined : t;
}

/** Every child with a name. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}
