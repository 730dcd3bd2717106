/**
 * The ledger over HTTP, for tools (`obc serve --ledger FILE|URL`):
 *
 *   POST /settle                          a contract and an attested drop of its files → the
 *                                         drop, its attestation and its settlement recorded (what
 *                                         `obc settle --data … --supplied-by … --attested-by …` does)
 *   GET  /ledger/settlements?contract=    the history of settlements (`obc ledger --json`)
 *   GET  /ledger/balances?by=&contract=   paid in all per student key, clause or payer (`obc ledger --balances BY --json`)
 *   GET  /ledger/contracts                the contracts the ledger holds (`obc ledger --contracts --json`)
 *   GET  /ledger/verify                   the whole ledger checked now (`obc ledger --verify --json`)
 *
 * The ledger is opened (and verified) once, when the service starts; settlements are written
 * one at a time, on the main thread, in the order they arrive. The rules are those of `obc
 * settle` (node/ledger/run.ts): only attested files, run strictly, refused unless every row was
 * accepted; the same contract, files and as-of date settle once. Answers hold amounts as
 * decimal strings, and errors never a data value.
 */
import { compileSource } from "../../language/driver.ts";
import type { DataProblem } from "../../engine/data.ts";
import type { RunOutput } from "../../engine/index.ts";
import { formatHead, LedgerRefusal, openLedger, type BalanceBy, type Ledger } from "../ledger/index.ts";
import { balancesJson, settlementsJson, settleOutcomeJson } from "../ledger/json.ts";
import { fileFromBytes, settleNewDrop } from "../ledger/run.ts";
import { invalidContract, resolverFor, type Reply } from "./handlers.ts";
import type { SettleRequest } from "./schemas.ts";

const refuse = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): Reply => ({ status, body: { error: { code, message }, ...extra } });
/** A bad query parameter: 400 invalid-request with its name as the path, as for a bad body field. */
const badParam = (name: string, message: string): Reply => ({ status: 400, body: { error: { code: "invalid-request", message, path: name } } });

export interface LedgerApi {
  settle(req: SettleRequest): Promise<Reply>;
  query(path: string, params: URLSearchParams): Promise<Reply>;
  close(): Promise<void>;
}

/** The query parameters each ledger route takes. */
const PARAMS: Record<string, string[]> = {
  "/ledger/settlements": ["contract"],
  "/ledger/balances": ["by", "contract"],
  "/ledger/contracts": [],
  "/ledger/verify": [],
};

/**
 * Opens the ledger (created when the file or schema does not exist yet) and answers its routes.
 * @param now the clock for what is recorded, ISO 8601
 * @throws what `openLedger` throws: a ledger that is foreign, damaged or fails verification is not served
 */
export async function openLedgerApi(target: string, now: () => string): Promise<LedgerApi> {
  const ledger: Ledger = await openLedger(target, { create: true, now: now() });
  // one write at a time, in the order requests arrive
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  async function contractFilter(params: URLSearchParams): Promise<{ contract?: string } | Reply> {
    const name = params.get("contract");
    if (name === null) return {};
    const id = await ledger.resolveContract(name);
    if (id === undefined) return refuse(404, "unknown-contract", "the ledger has no such contract; GET /ledger/contracts lists them");
    return { contract: id };
  }

  return {
    settle: (req) =>
      serial(async () => {
        const compiled = compileSource(req.source, { resolver: resolverFor(req) });
        if (!compiled.ok || !compiled.ir) return invalidContract(req.source, compiled.diagnostics);
        const files = await Promise.all(req.files.map((f) => fileFromBytes(f.base64 !== undefined ? Buffer.from(f.base64, "base64") : Buffer.from(f.text ?? "", "utf8"), f.label, f.dataSet)));
        const at = now();
        try {
          const outcome = await settleNewDrop(
            ledger,
            {
              source: req.source, ir: compiled.ir, files, asOf: req.asOf, now: at,
              suppliedBy: req.suppliedBy, attestedBy: req.attestedBy, role: req.role ?? "district",
              ...(req.suppliedAt !== undefined ? { suppliedAt: req.suppliedAt } : {}),
              ...(req.maxShrink !== undefined ? { maxShrink: req.maxShrink } : {}),
              ...(req.accept !== undefined ? { accept: req.accept } : {}),
            },
            req.dryRun ? { dryRun: true } : {},
          );
          // the head to keep outside the ledger (not for a dry run, which wrote nothing)
          const head = req.dryRun ? undefined : await ledger.head();
          return { status: 200, body: { ok: true, ...settleOutcomeJson(outcome, outcome.run.result!.contract.currency, head && formatHead(head.seq, head.hash)) } };
        } catch (e) {
          if (!(e instanceof LedgerRefusal)) throw e;
          const run = (e as { run?: RunOutput }).run;
          if (e.kind === "data") {
            const problems: DataProblem[] = run ? [...run.problems, ...(run.result?.dataQuality.problems ?? [])] : [];
            const unique = [...new Map(problems.map((p) => [JSON.stringify(p), p])).values()];
            return refuse(422, "data-errors", e.message.replace(" (see obc run --json for where)", "; see problems"), { problems: unique });
          }
          return refuse(409, "refused", e.message, { reason: e.kind });
        }
      }),

    async query(path, params) {
      const allowed = PARAMS[path] ?? [];
      for (const k of params.keys()) if (!allowed.includes(k)) return badParam(k, `unknown query parameter ${k}${allowed.length ? ` (${path} takes ${allowed.join(", ")})` : ""}`);
      switch (path) {
        case "/ledger/verify":
          return { status: 200, body: await ledger.verify() };
        case "/ledger/contracts":
          return { status: 200, body: { ok: true, contracts: await ledger.contracts() } };
        case "/ledger/settlements": {
          const filter = await contractFilter(params);
          if ("status" in filter) return filter;
          return { status: 200, body: { ok: true, settlements: settlementsJson(await ledger.history(filter)) } };
        }
        case "/ledger/balances": {
          const by = params.get("by");
          if (by !== "student" && by !== "clause" && by !== "payer") return badParam("by", "by is student, clause or payer");
          const filter = await contractFilter(params);
          if ("status" in filter) return filter;
          const currency = (await ledger.history(filter))[0]?.currency ?? "USD";
          return { status: 200, body: { ok: true, ...balancesJson(by as BalanceBy, currency, await ledger.balances(by, filter)) } };
        }
      }
      return refuse(404, "not-found", `there is no ${path}; see GET /openapi.json`);
    },

    close: () => serial(() => ledger.close()),
  };
}
