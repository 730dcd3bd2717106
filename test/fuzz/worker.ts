/** Runs one range of fuzz cases in a worker thread, reporting each case as it starts and ends. */
import { parentPort, workerData } from "node:worker_threads";
import { contractSeeds } from "./contracts.ts";
import { contractCase, dataCase, dataSeeds } from "./check.ts";

const { kind, seed, from, to } = workerData as { kind: "contract" | "data"; seed: number; from: number; to: number };
const seeds = contractSeeds();
const data = kind === "data" ? dataSeeds(seeds) : [];
for (let i = from; i < to; i++) {
  parentPort!.postMessage({ type: "start", index: i });
  const t0 = performance.now();
  const result = kind === "contract" ? await contractCase(seeds, seed, i) : await dataCase(data, seed, i);
  parentPort!.postMessage({ type: "done", index: i, result, ms: performance.now() - t0 });
}
parentPort!.postMessage({ type: "idle" });
