/**
 * Turning 0-based UTF-16 offsets into 1-based line:column positions.
 *
 * Lines end at "\n"; a "\r" just before it belongs to the line break, not to the line text.
 * A text ending in "\n" has a final empty line (as in editors).
 */

export interface Position {
  /** 1-based line number. */
  line: number;
  /** 1-based column, counted in UTF-16 code units. */
  column: number;
}

export class LineIndex {
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [0];

  /** @param text the whole source text */
  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  /** Number of lines (at least 1, even for an empty text). */
  get lineCount(): number {
    return this.starts.length;
  }

  /**
   * @param offset 0-based UTF-16 offset; values outside the text clamp to its start or end
   * @returns the 1-based line and column of that offset
   */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(Math.trunc(offset), this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }

  /**
   * @param line 1-based line number, clamped to the existing lines
   * @param column 1-based column, clamped to the line (its break excluded)
   * @returns the 0-based offset of that position
   */
  offset(line: number, column: number): number {
    const l = Math.max(1, Math.min(Math.trunc(line), this.lineCount));
    const start = this.starts[l - 1];
    const len = this.lineText(l).length;
    return start + Math.max(0, Math.min(Math.trunc(column) - 1, len));
  }

  /**
   * @param line 1-based line number
   * @returns the line's text without its line break ("" for a line that does not exist)
   */
  lineText(line: number): string {
    if (line < 1 || line > this.lineCount) return "";
    const start = this.starts[line - 1];
    const end = line < this.lineCount ? this.starts[line] - 1 : this.text.length;
    const s = this.text.slice(start, end);
    return s.endsWith("\r") && line < this.lineCount ? s.slice(0, -1) : s;
  }
}
