/**
 * The check worker: parses and checks the contract on every keystroke, off the main thread,
 * and formats it. It only wires messages to the check service (`service/check.ts`).
 *
 * Edits arrive faster than a large contract compiles: only the newest "check" request waiting
 * in the queue is handled, older ones are dropped.
 */
import { format } from "../../language/format/index.ts";
import { createCheckService } from "./service/check.ts";
import type { CheckRequest, CheckResponse } from "./service/protocol.ts";
import { stdlibFiles } from "./stdlib-files.ts";

interface WorkerScope {
  postMessage(message: CheckResponse): void;
  onmessage: ((event: MessageEvent<CheckRequest>) => void) | null;
}
const scope = self as unknown as WorkerScope;
const post = (m: CheckResponse) => scope.postMessage(m);
const service = createCheckService({ library: stdlibFiles, format });
const handle = (request: CheckRequest) => {
  try {
    service.handle(request, post);
  } catch (e) {
    console.error("OBC check worker: internal error", e);
  }
};

let pendingCheck: CheckRequest | undefined;

scope.onmessage = (event) => {
  const request = event.data;
  if (request.type !== "check") return handle(request);
  const scheduled = pendingCheck !== undefined;
  pendingCheck = request;
  // let the messages already queued in first: only the newest text is checked
  if (!scheduled) {
    setTimeout(() => {
      const latest = pendingCheck!;
      pendingCheck = undefined;
      handle(latest);
    }, 0);
  }
};
