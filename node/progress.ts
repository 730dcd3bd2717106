/**
 * A one-line progress display for long commands: rewrites a single stderr line when stderr is a
 * terminal, prints nothing when it is piped or redirected. At most ten updates a second.
 */

export interface ProgressSink {
  stderr: (s: string) => void;
  /** true when stderr is a terminal */
  stderrIsTTY?: boolean;
}

export interface Progress {
  /** shows `label: 45% (1.1 of 2.5 MB)` or `label: 1,234` */
  update(label: string, done: number, total?: number, unit?: "bytes" | "items"): void;
  /** clears the line */
  done(): void;
}

const fmtBytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : n >= 1e3 ? `${(n / 1e3).toFixed(0)} kB` : `${n} B`);

export function createProgress(io: ProgressSink, opts: { intervalMs?: number; now?: () => number } = {}): Progress {
  if (!io.stderrIsTTY) return { update() {}, done() {} };
  const interval = opts.intervalMs ?? 100;
  const now = opts.now ?? (() => Date.now());
  let last = 0;
  let shown = false;
  return {
    update(label, done, total, unit = "bytes") {
      const t = now();
      if (t - last < interval && !(total !== undefined && done >= total)) return;
      last = t;
      let text: string;
      if (total !== undefined && total > 0) {
        const pct = Math.min(100, Math.floor((done / total) * 100));
        text = `${label}: ${pct}%` + (unit === "bytes" ? ` (${fmtBytes(done)} of ${fmtBytes(total)})` : ` (${done.toLocaleString("en-US")} of ${total.toLocaleString("en-US")})`);
      } else {
        text = `${label}: ${unit === "bytes" ? fmtBytes(done) : done.toLocaleString("en-US")}`;
      }
      io.stderr(`\r\x1b[2K${text}`);
      shown = true;
    },
    done() {
      if (shown) io.stderr("\r\x1b[2K");
      shown = false;
    },
  };
}
