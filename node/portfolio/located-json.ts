/**
 * JSON with positions: parses a JSON text like `JSON.parse`, and also records where each value
 * starts (1-based line and column), so that a schema error can point at the value it is about
 * ("portfolio.json:14:19: contracts[2].district: …").
 *
 *   parseLocated(text) → { ok: true, value, at(path) } | { ok: false, line, column, message }
 *
 * Strict JSON (RFC 8259): no comments, no trailing commas; a byte-order mark is skipped. Nesting
 * is bounded (`MAX_DEPTH`) so hostile input ends with an error instead of a stack overflow; a
 * duplicate key is an error (JSON.parse would silently keep the last one, and a portfolio
 * with two `contracts` keys is a mistake to report, not to guess at).
 */

export const MAX_DEPTH = 64;

export type JsonPath = readonly (string | number)[];

export interface Position {
  line: number;
  column: number;
}

export type LocatedParse =
  | { ok: true; value: unknown; at(path: JsonPath): Position }
  | { ok: false; line: number; column: number; message: string };

class SyntaxFail extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const pathKey = (path: JsonPath) => JSON.stringify(path);

/** Parses `text`; on success `at(path)` is the position of the value at `path` (or of its nearest parent). */
export function parseLocated(text: string): LocatedParse {
  // a byte-order mark is not part of the text (editors do not count it in columns either)
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const starts = new Map<string, number>();
  let i = 0;

  const ws = () => {
    while (i < src.length) {
      const c = src.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const describe = (at: number) => (at >= src.length ? "the end of the file" : `'${src[at]}'`);
  const expect = (ch: string, what: string) => {
    if (src[i] !== ch) throw new SyntaxFail(i, `expected ${what} but found ${describe(i)}`);
    i++;
  };

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    for (;;) {
      if (i >= src.length) throw new SyntaxFail(start, "this string is not closed");
      const c = src[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === "\\") {
        const e = src[i + 1];
        const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
          continue;
        }
        if (e === "u" && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        throw new SyntaxFail(i, "this escape sequence is not valid JSON");
      }
      if (c.charCodeAt(0) < 0x20) throw new SyntaxFail(i, "a string may not contain a line break or control character (write \\n)");
      out += c;
      i++;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

  const parseValue = (path: (string | number)[], depth: number): unknown => {
    if (depth > MAX_DEPTH) throw new SyntaxFail(i, `the file nests deeper than ${MAX_DEPTH} levels`);
    ws();
    starts.set(pathKey(path), i);
    const c = src[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (src[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (src[i] !== '"') throw new SyntaxFail(i, `expected a key in double quotes but found ${describe(i)}`);
        const keyAt = i;
        const key = parseString();
        if (Object.prototype.hasOwnProperty.call(obj, key)) throw new SyntaxFail(keyAt, `the key "${key}" appears twice in this object`);
        ws();
        expect(":", "':' after the key");
        const v = parseValue([...path, key], depth + 1);
        Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (src[i] === ",") {
          const comma = i++;
          ws();
          if (src[i] === "}") throw new SyntaxFail(comma, "a comma before '}' is not allowed in JSON");
          continue;
        }
        expect("}", "',' or '}'");
        return obj;
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (src[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue([...path, arr.length], depth + 1));
        ws();
        if (src[i] === ",") {
          const comma = i++;
          ws();
          if (src[i] === "]") throw new SyntaxFail(comma, "a comma before ']' is not allowed in JSON");
          continue;
        }
        expect("]", "',' or ']'");
        return arr;
      }
    }
    if (c === '"') return parseString();
    for (const [word, v] of [["true", true], ["false", false], ["null", null]] as const) {
      if (src.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(src);
    if (m && m[0].length > 0) {
      i += m[0].length;
      return Number(m[0]);
    }
    if (c === "/") throw new SyntaxFail(i, "comments are not allowed in JSON");
    throw new SyntaxFail(i, `expected a value but found ${describe(i)}`);
  };

  const lineStarts = [0];
  for (let k = 0; k < src.length; k++) if (src.charCodeAt(k) === 0x0a) lineStarts.push(k + 1);
  const position = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };

  try {
    const value = parseValue([], 0);
    ws();
    if (i < src.length) throw new SyntaxFail(i, `expected the end of the file after the value but found ${describe(i)}`);
    return {
      ok: true,
      value,
      at(path) {
        for (let n = path.length; n >= 0; n--) {
          const s = starts.get(pathKey(path.slice(0, n)));
          if (s !== undefined) return position(s);
        }
        return { line: 1, column: 1 };
      },
    };
  } catch (e) {
    if (e instanceof SyntaxFail) {
      const p = position(Math.min(e.offset, src.length));
      return { ok: false, line: p.line, column: p.column, message: e.message };
    }
    throw e;
  }
}

/** `contracts[2].district` from a path. */
export function showPath(path: JsonPath): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}
