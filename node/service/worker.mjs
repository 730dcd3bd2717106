// A service worker thread: loads the TypeScript handlers through tsx and answers one request at
// a time. The main thread terminates it when a request takes too long (see pool.ts).
// Plain JavaScript, so it starts the same way under `obc serve`, vitest or plain node.
import { parentPort } from "node:worker_threads";
import { register as registerHooks } from "node:module";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const fail = () => parentPort.postMessage({ fatal: true });
try {
  // the same chevrotain bundle hook as bin/obc.mjs, when present (faster start)
  const hooks = new URL("../../cli/resolve-hooks.mjs", import.meta.url);
  if (existsSync(fileURLToPath(hooks))) registerHooks(hooks);
  const { register } = await import("tsx/esm/api");
  register();
  const { handle } = await import(new URL("./handlers.ts", import.meta.url).href);
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
