/**
 * The language worker: parses, checks, analyses, formats and runs contracts off the main
 * thread, so typing never waits for the compiler. It only wires messages to the language
 * service (`service/handler.ts`).
 *
 * Edits arrive faster than a large contract compiles: only the newest "analyze" request
 * waiting in the queue is handled, older ones are dropped, and the slow steps of an analysis
 * (summary, bounds, worked examples) are skipped once a newer edit has arrived.
 */
import { format } from "../../language/format/index.ts";
import { createLanguageService } from "./service/handler.ts";
import type { WorkerRequest, WorkerResponse } from "./service/protocol.ts";

// the template library, bundled so `import … from stdlib` works offline
const templateFiles = import.meta.glob<string>("../../stdlib/templates/*.obc", { query: "?raw", import: "default", eager: true });
const library = Object.fromEntries(
  Object.entries(templateFiles).map(([path, text]) => [path.slice(path.lastIndexOf("/") + 1, -".obc".length), text]),
);

let pendingAnalyze: WorkerRequest | undefined;
/** "analyze" requests received so far */
let received = 0;

const service = createLanguageService({
  library,
  format,
  // let queued messages in; stop this analysis when a newer edit has arrived meanwhile
  yieldToNewer: (delayMs) => {
    const seen = received;
    return new Promise((resolve) => setTimeout(() => resolve(received === seen && pendingAnalyze === undefined), delayMs));
  },
});

interface WorkerScope {
  postMessage(message: WorkerResponse): void;
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: WorkerResponse) => scope.postMessage(m);
const handle = (request: WorkerRequest) =>
  service.handle(request, post).catch((e: unknown) => console.error("OBC language worker: internal error", e));

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type === "analyze") {
    received++;
    const scheduled = pendingAnalyze !== undefined;
    pendingAnalyze = request;
    if (!scheduled) {
      setTimeout(() => {
        const latest = pendingAnalyze!;
        pendingAnalyze = undefined;
        void handle(latest);
      }, 0);
    }
    return;
  }
  void handle(request);
};
