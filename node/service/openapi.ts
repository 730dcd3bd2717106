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
      },
    },
  };
}
