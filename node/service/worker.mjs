// A service worker thread: answers one request at a time with the handlers. The main thread
// terminates it when a request takes too long (see pool.ts).
// Plain JavaScript, so it starts the same way under `obc serve`, vitest or plain node: in the
// built package it loads handlers.js beside it; from the sources, handlers.ts through tsx.
import { parentPort } from "node:worker_threads";
import { register as registerHooks } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fail = () => parentPort.postMessage({ fatal: true });
try {
  const built = new URL("./handlers.js", import.meta.url);
  let handlers = built;
  if (!existsSync(fileURLToPath(built))) {
    // the same chevrotain bundle hook as the sources' launcher, when present (faster start)
    const hooks = new URL("../../cli/resolve-hooks.mjs", import.meta.url);
    if (existsSync(fileURLToPath(hooks))) registerHooks(hooks);
    const { register } = await import("tsx/esm/api");
    register();
    handlers = new URL("./handlers.ts", import.meta.url);
  }
  const { handle } = await import(handlers.href);
  parentPort.on("message", async (m) => {
    try {
      const reply = await handle(m.route, m.body);
      parentPort.postMessage({ id: m.id, reply });
    } catch {
      // never a stack trace: the main thread answers 500 with a fixed message
      parentPort.postMessage({ id: m.id, failed: true });
    }
  });
  parentPort.postMessage({ ready: true });
} catch {
  fail();
}
