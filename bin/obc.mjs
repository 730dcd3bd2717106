#!/usr/bin/env node
// The `obc` launcher: loads the TypeScript CLI through tsx and runs it.
// Paths are resolved from this file, so it works from any working directory and via `npx obc`.
// Users never see a stack trace: unexpected errors print one line and exit 70.

const INTERNAL = 70;

function internalError(error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`obc: internal error: ${message.split("\n")[0]}\nobc: please report this, with the command you ran.\n`);
  process.exit(INTERNAL);
}

process.on("uncaughtException", internalError);
process.on("unhandledRejection", internalError);

// `obc … | head` closes the pipe early: stop quietly instead of failing.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error && error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    internalError(error);
  });
}

try {
  // Load chevrotain as one bundled module (much faster start); see cli/resolve-hooks.mjs.
  const { register: registerHooks } = await import("node:module");
  registerHooks(new URL("../cli/resolve-hooks.mjs", import.meta.url));
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import(new URL("../cli/main.ts", import.meta.url).href);
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  internalError(error);
}
