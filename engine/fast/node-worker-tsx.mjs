// Starts node-worker.ts in a worker thread when the engine runs from TypeScript sources (tsx, vitest):
// worker threads do not inherit the parent's module hooks, so tsx is registered here first.
import { register } from "tsx/esm/api";

register();
await import(new URL("./node-worker.ts", import.meta.url).href);
