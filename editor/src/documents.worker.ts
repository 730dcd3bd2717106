/**
 * The document worker: the plain-language summary, bounds, worked examples, runs, comparisons
 * and simulations, beside the check worker so that none of them delays the diagnostics of a
 * keystroke. It only wires messages to the document service (`service/documents.ts`).
 *
 * The summary waits until no edit has come for DOCUMENT_PAUSE_MS (the text opened first is
 * answered at once). A request's later steps are skipped once a newer edit has arrived.
 */
import { createDocumentService } from "./service/documents.ts";
import { DOCUMENT_PAUSE_MS } from "./service/limits.ts";
import type { DocumentRequest, DocumentResponse } from "./service/protocol.ts";
import { stdlibFiles } from "./stdlib-files.ts";

interface WorkerScope {
  postMessage(message: DocumentResponse): void;
  onmessage: ((event: MessageEvent<DocumentRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: DocumentResponse) => scope.postMessage(m);

/** "document" requests received so far */
let received = 0;
let pending: DocumentRequest | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;

const service = createDocumentService({
  library: stdlibFiles,
  // let queued messages in; stop this request when a newer edit has arrived meanwhile
  yieldToNewer: (delayMs) => {
    const seen = received;
    return new Promise((resolve) => setTimeout(() => resolve(received === seen), delayMs));
  },
});
const handle = (request: DocumentRequest) =>
  service.handle(request, post).catch((e: unknown) => console.error("OBC document worker: internal error", e));

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type !== "document") return void handle(request);
  received++;
  pending = request;
  clearTimeout(timer);
  timer = setTimeout(
    () => {
      const latest = pending!;
      pending = undefined;
      void handle(latest);
    },
    received === 1 ? 0 : DOCUMENT_PAUSE_MS,
  );
};
