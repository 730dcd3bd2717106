/**
 * Runs service requests off the main thread, so that a request that takes too long can really
 * be stopped: its worker is terminated (the request gets 503) and replaced. One request per
 * worker at a time; requests wait in a bounded queue (503 "busy" when it is full, or when a
 * request waited longer than the longer of its time limit and 15 s for a free worker).
 *
 * `inline` mode runs the handlers on the main thread instead (no isolation: a timeout is noticed
 * only when the run yields); it is the fallback when a worker cannot start.
 */
import { Worker } from "node:worker_threads";
import type { Reply, Route } from "./handlers.ts";
import type { AdaptRequest, ContractRequest } from "./schemas.ts";

export class TimeoutError extends Error {}
export class BusyError extends Error {}
export class WorkerFailure extends Error {}

export interface Runner {
  run(route: Route, body: ContractRequest | AdaptRequest, timeoutMs: number): Promise<Reply>;
  close(): Promise<void>;
  readonly mode: "worker" | "inline";
}

interface Job {
  id: number;
  route: Route;
  body: ContractRequest | AdaptRequest;
  timeoutMs: number;
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job?: Job;
  timer?: NodeJS.Timeout;
}

const WORKER_URL = new URL("./worker.mjs", import.meta.url);

export class WorkerPool implements Runner {
  readonly mode = "worker" as const;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly maxQueue = 64,
    /** the least time a request may wait for a free worker (a replacement takes about a second to start) */
    private readonly maxWaitMs = 15_000,
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Resolves when every worker has started (or rejects when one cannot). */
  async ready(timeoutMs = 30_000): Promise<void> {
    const start = Date.now();
    while (!this.slots.every((s) => s.ready)) {
      if (this.closed) throw new WorkerFailure("pool closed");
      if (Date.now() - start > timeoutMs) throw new WorkerFailure("workers did not start");
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    const slot: Slot = { worker, ready: false };
    worker.unref();
    worker.on("message", (m: { ready?: boolean; fatal?: boolean; id?: number; reply?: Reply; failed?: boolean }) => {
      if (m.ready) {
        slot.ready = true;
        this.pump();
        return;
      }
      if (m.fatal) {
        this.replace(slot, new WorkerFailure("worker failed to start"));
        return;
      }
      const job = slot.job;
      if (!job || m.id !== job.id) return;
      clearTimeout(slot.timer);
      slot.job = undefined;
      if (m.failed || !m.reply) job.reject(new WorkerFailure("request failed"));
      else job.resolve(m.reply);
      this.pump();
    });
    worker.on("error", () => this.replace(slot, new WorkerFailure("worker crashed")));
    worker.on("exit", () => {
      if (!this.closed && this.slots.includes(slot)) this.replace(slot, new WorkerFailure("worker exited"));
    });
    return slot;
  }

  private replace(slot: Slot, reason: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = undefined;
    this.slots.splice(i, 1);
    void slot.worker.terminate();
    if (job) job.reject(reason);
    if (!this.closed) {
      this.slots.push(this.spawn());
    }
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.timer = setTimeout(() => this.replace(slot, new TimeoutError("timeout")), job.timeoutMs);
      slot.worker.postMessage({ id: job.id, route: job.route, body: job.body });
    }
  }

  run(route: Route, body: ContractRequest | AdaptRequest, timeoutMs: number): Promise<Reply> {
    if (this.closed) return Promise.reject(new WorkerFailure("pool closed"));
    if (this.queue.length >= this.maxQueue) return Promise.reject(new BusyError("busy"));
    return new Promise<Reply>((resolve, reject) => {
      const job: Job = { id: this.nextId++, route, body, timeoutMs, resolve, reject };
      this.queue.push(job);
      // a request still waiting for a free worker after the longer of its time limit and the
      // time a replacement worker needs to start is answered without running
      setTimeout(() => {
        const i = this.queue.indexOf(job);
        if (i >= 0) {
          this.queue.splice(i, 1);
          reject(new BusyError("waited too long for a worker"));
        }
      }, Math.max(timeoutMs, this.maxWaitMs)).unref();
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new WorkerFailure("pool closed"));
    await Promise.all(
      this.slots.splice(0).map(async (s) => {
        clearTimeout(s.timer);
        s.job?.reject(new WorkerFailure("pool closed"));
        await s.worker.terminate();
      }),
    );
  }
}

/** Runs the handlers on the main thread. */
export class InlineRunner implements Runner {
  readonly mode = "inline" as const;
  async run(route: Route, body: ContractRequest | AdaptRequest, timeoutMs: number): Promise<Reply> {
    const { handle } = await import("./handlers.ts");
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError("timeout")), timeoutMs);
    });
    try {
      return await Promise.race([handle(route, body), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
  async close(): Promise<void> {}
}
