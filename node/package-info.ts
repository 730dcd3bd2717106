/**
 * The version of this package, read from its package.json: the nearest one named "obc" above
 * this file, whether it runs from the sources (node/) or from the build (dist/node/).
 */
import { readFileSync } from "node:fs";

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "obc" && typeof pkg.version === "string") return (cached = pkg.version);
    } catch {
      // not there: look one folder higher
    }
  }
  return (cached = "0.0.0");
}
