/**
 * Before any test: build the package when a source changed since the last build, so the CLI
 * that tests start (bin/obc.mjs runs dist/) is always the one built from the sources under test.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const script = fileURLToPath(new URL("../scripts/build.mjs", import.meta.url));
  const r = spawnSync(process.execPath, [script, "--if-stale"], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("the build failed (node scripts/build.mjs)");
}
