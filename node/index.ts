/**
 * Node helpers (files, adapters, privacy, bulk runs), published as `obc/node`. The ledger and
 * the HTTP service have their own entry points, `obc/node/ledger` and `obc/node/service`, so
 * that importing this one loads neither SQLite nor the server.
 *
 *   compileFile(path)                     → CompileResult & { text }   (templates resolved beside the file)
 *   adaptForDataSet(dataSet, inputs, o)   → the per-student CSV a contract reads, from vendor files
 *   aggregateForFunders(result, o)        → totals with small groups suppressed
 *   runBulkParallelFromFiles(ir, text, files, o) → totals for large cohorts on every core
 *
 * See docs/api.md.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { compileSource, type CompileResult } from "../language/driver.ts";
import { nodeResolver } from "../stdlib/node-resolver.ts";

/**
 * Reads a contract file and compiles it, with `import … from stdlib` and imports of templates
 * beside it resolved on disk (never outside the contract's folder). A byte-order mark is
 * dropped. Rejects only when the file cannot be read (the error of `fs`).
 */
export async function compileFile(path: string): Promise<CompileResult & { text: string }> {
  const text = (await readFile(path, "utf8")).replace(/^\ufeff/, "");
  return { ...compileSource(text, { resolver: nodeResolver(resolve(path)) }), text };
}

export { nodeResolver, libraryNames, STDLIB_DIR } from "../stdlib/node-resolver.ts";
export {
  adaptFiles,
  adaptForDataSet,
  findDataSet,
  FORMATS,
  isFormat,
  parseMapping,
  renderQuality,
  FileReadError,
  type AdaptInput,
  type AdaptOptions,
  type AdaptResult,
  type AdaptForDataSetOptions,
  type AdaptForDataSetResult,
  type ColumnMapping,
  type FormatId,
  type QualityReport,
} from "./adapters/index.ts";
export { aggregateForFunders, renderAggregateCsv, DEFAULT_MIN_CELL, type AggregateOptions, type FunderAggregate } from "./aggregate.ts";
export { hmacKeys, plainKeys, loadSecret, SecretError, type KeyFunction } from "./privacy.ts";
export { runBulkParallelFromFiles, type DataPath, type StreamOptions } from "./bulk-stream.ts";
export type { BulkResult } from "../engine/fast/bulk.ts";
