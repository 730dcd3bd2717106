#!/usr/bin/env node
// The `obc` launcher: runs the built CLI (dist/cli/main.js; `npm run build` makes it, and
// `npm install` runs the build in a clone of the repository). Plain JavaScript, no compiler at
// run time. Paths are resolved from this file, so it works from any directory and via `npx obc`.
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

let cli;
try {
  cli = await import(new URL("../dist/cli/main.js", import.meta.url).href);
} catch (error) {
  if (error?.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("dist/cli/main.js")) {
    process.stderr.write("obc: the command line is not built; run npm run build in the obc folder\n");
    process.exit(INTERNAL);
  }
  internalError(error);
}
try {
  process.exitCode = await cli.main(process.argv.slice(2));
} catch (error) {
  internalError(error);
}
