/**
 * The OpenAPI 3.1 document of the service, generated from the zod schemas (`z.toJSONSchema`,
 * JSON Schema 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from "zod";
import {
  AdaptRequestSchema,
  AdaptResponseSchema,
  AnalysisResponseSchema,
  CheckResponseSchema,
  CompileResponseSchema,
  ContractRequestSchema,
  DataErrorsSchema,
  ErrorSchema,
  InvalidContractSchema,
  RunResponseSchema,
  SummaryResponseSchema,
  SettleRequestSchema,
  SettleResponseSchema,
  SettlementsResponseSchema,
  BalancesResponseSchema,
  ContractsResponseSchema,
  VerifyResponseSchema,
} from "./schemas.ts";

function schemaOf(s: z.ZodType): Record<string, unknown> {
  const j = z.toJSONSchema(s, { unrepresentable: "any" }) as Record<string, unknown>;
  delete j["$schema"];
  return j;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: string, description: string) => ({ description, content: { "application/json": { schema: ref(name) } } });

const commonErrors = {
  "400": json("Error", "malformed JSON (bad-json) or a request that does not fit the schema (invalid-request, with the field's path)"),
  "403": json("Error", "the request is not addressed to this machine: its Host header is not localhost or a loopback address (forbidden-host)"),
  "405": json("Error", "wrong method (method-not-allowed)"),
  "408": json("Error", "the request body did not arrive in time (request-timeout)"),
  "413": json("Error", "the request body is larger than the limit (payload-too-large), or the contract source is (source-too-large, 512 KB by default)"),
  "415": json("Error", "the request is not sent as Content-Type: application/json (unsupported-media-type)"),
  "500": json("Error", "an internal error (internal); never with a stack trace"),
  "503": json("Error", "the request took longer than the limit (timeout), or the service is busy (busy)"),
};

const contractParam = { name: "contract", in: "query", required: false, description: "only this contract: its identity or title", schema: { type: "string" } };

/** A GET route of the ledger (needs obc serve --ledger). */
function ledgerGet(operationId: string, summary: string, description: string, ok: string, parameters: unknown[]) {
  return {
    get: {
      operationId,
      summary,
      description: `${description} Needs obc serve --ledger.`,
      parameters,
      responses: {
        "200": json(ok, summary.toLowerCase()),
        "400": json("Error", "an unknown or invalid query parameter (invalid-request)"),
        "404": json("Error", "the service has no ledger (no-ledger), or no such contract (unknown-contract)"),
        "500": commonErrors["500"],
      },
    },
  };
}

/** The OpenAPI document. */
export function openApiDocument(version = "0.1.0"): Record<string, unknown> {
  const post = (operationId: string, summary: string, description: string, ok: [string, string], extra: Record<string, unknown> = {}) => ({
    post: {
      operationId,
      summary,
      description,
      requestBody: { required: true, content: { "application/json": { schema: ref("ContractRequest") } } },
      responses: { "200": json(ok[0], ok[1]), ...extra, ...commonErrors },
    },
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "OBC engine service",
      version,
      description:
        "Check, compile, analyse and run OBC outcomes-based tutoring contracts. Requests are JSON; every error is " +
        "`{ error: { code, message } }` with a stable code. The service listens on 127.0.0.1 only, answers only requests " +
        "addressed to localhost or a loopback address, accepts only `Content-Type: application/json`, and makes no network calls.",
    },
    servers: [{ url: "http://127.0.0.1:8787" }],
    paths: {
      "/check": post("checkContract", "Check a contract", "Every diagnostic of the contract, errors or not.", ["CheckResponse", "the diagnostics"]),
      "/compile": post("compileContract", "Compile a contract to json-rules-engine rules", "", ["CompileResponse", "the rules"], {
        "422": json("InvalidContract", "the contract has errors (invalid-contract)"),
      }),
      "/run": post("runContract", "Run a contract on data", "Payments per student and clause with reasons, totals, escalations and data quality.", ["RunResponse", "the run"], {
        "422": json("DataErrors", "the contract has errors (invalid-contract, with diagnostics) or the data stopped the run (data-errors, with problems)"),
      }),
      "/analysis": post("analyzeContract", "Analyse a contract without data", "The least and most one student can earn, per clause and in all.", ["AnalysisResponse", "the bounds"], {
        "422": json("InvalidContract", "the contract has errors (invalid-contract)"),
      }),
      "/summary": post("summarizeContract", "Plain-language summary", "The summary for the people who sign: Markdown, standalone HTML, and which contract text each sentence renders.", ["SummaryResponse", "the summary"], {
        "422": json("InvalidContract", "the contract has errors (invalid-contract)"),
      }),
      "/adapt": {
        post: {
          operationId: "adaptFiles",
          summary: "Turn district or vendor files into a data set's CSV",
          description:
            "What obc adapt does: the files (text, or base64 bytes) are read by the format's adapter, names and other direct identifiers dropped, and the per-student CSV of the data set returned with the data-quality report.",
          requestBody: { required: true, content: { "application/json": { schema: ref("AdaptRequest") } } },
          responses: {
            "200": json("AdaptResponse", "the data set's CSV and the quality report"),
            "422": json("Error", "the contract has errors (invalid-contract), a declared field no file provides (missing-field, with unmapped and available), or strict and a row was rejected (data-errors)"),
            ...commonErrors,
          },
        },
      },
      "/settle": {
        post: {
          operationId: "settleDrop",
          summary: "Settle an attested drop in the ledger",
          description:
            "What obc settle --data does (needs obc serve --ledger): the files are recorded as a drop with its attestation, the contract is run on them strictly, and what is owed beyond what the ledger has already paid the contract is recorded (payments and adjustments), all in one transaction. The same contract, files and as-of date settle once (duplicate); a run that changes nothing records nothing (unchanged).",
          requestBody: { required: true, content: { "application/json": { schema: ref("SettleRequest") } } },
          responses: {
            "200": json("SettleResponse", "what was recorded (or, with dryRun, would be)"),
            "404": json("Error", "the service has no ledger (no-ledger)"),
            "409": json("Error", "refused by the ledger's rules (refused, with reason: identity, drop, shrink, reversal, attestation): nothing was recorded"),
            "422": json("DataErrors", "the contract has errors (invalid-contract, with diagnostics), or the data has errors or rejected rows (data-errors, with problems): nothing was recorded"),
            ...commonErrors,
          },
        },
      },
      "/ledger/settlements": ledgerGet("listSettlements", "The history of settlements", "Every settlement, oldest first (obc ledger --json).", "SettlementsResponse", [contractParam]),
      "/ledger/balances": ledgerGet("getBalances", "Paid in all, per student key, clause or payer", "Sums of every ledger line (obc ledger --balances BY --json); the student key \"\" holds cohort payments.", "BalancesResponse", [
        { name: "by", in: "query", required: true, schema: { type: "string", enum: ["student", "clause", "payer"] } },
        contractParam,
      ]),
      "/ledger/contracts": ledgerGet("listLedgerContracts", "The contracts the ledger holds", "Their identities, titles and when they were first recorded (obc ledger --contracts --json).", "ContractsResponse", []),
      "/ledger/verify": ledgerGet("verifyLedger", "Verify the whole ledger", "The hash chain, stored totals and append-only guards checked now (obc ledger --verify --json); ok is false with the problems when anything fails.", "VerifyResponse", []),
      "/openapi.json": { get: { operationId: "getOpenApiDocument", summary: "This document", responses: { "200": { description: "the OpenAPI document", content: { "application/json": {} } } } } },
      "/health": { get: { operationId: "getHealth", summary: "Liveness", responses: { "200": { description: "{ ok: true }", content: { "application/json": {} } } } } },
    },
    components: {
      schemas: {
        ContractRequest: schemaOf(ContractRequestSchema),
        Error: schemaOf(ErrorSchema),
        CheckResponse: schemaOf(CheckResponseSchema),
        CompileResponse: schemaOf(CompileResponseSchema),
        InvalidContract: schemaOf(InvalidContractSchema),
        RunResponse: schemaOf(RunResponseSchema),
        DataErrors: schemaOf(DataErrorsSchema),
        AnalysisResponse: schemaOf(AnalysisResponseSchema),
        SummaryResponse: schemaOf(SummaryResponseSchema),
        AdaptRequest: schemaOf(AdaptRequestSchema),
        AdaptResponse: schemaOf(AdaptResponseSchema),
        SettleRequest: schemaOf(SettleRequestSchema),
        SettleResponse: schemaOf(SettleResponseSchema),
        SettlementsResponse: schemaOf(SettlementsResponseSchema),
        BalancesResponse: schemaOf(BalancesResponseSchema),
        ContractsResponse: schemaOf(ContractsResponseSchema),
        VerifyResponse: schemaOf(VerifyResponseSchema),
      },
    },
  };
}
