// Module resolution hooks for the `obc` launcher (registered by bin/obc.mjs).
//
// chevrotain's default entry point loads about 600 small modules (lodash-es), which costs
// around half a second at every start under tsx. The package also ships the same build as one
// ES module (lib/chevrotain.mjs); load that one instead when it is there.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (specifier === "chevrotain" && resolved.url.endsWith("/lib/src/api.js")) {
    const bundle = new URL("../chevrotain.mjs", resolved.url);
    if (existsSync(fileURLToPath(bundle))) return { ...resolved, url: bundle.href, format: "module" };
  }
  return resolved;
}
