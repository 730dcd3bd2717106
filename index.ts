/**
 * `obc`: the language and the engine together (browser-safe). `obc/language` and `obc/engine`
 * hold the same functions; `obc/node` adds files, adapters and bulk runs; `obc/cli` is the
 * command line. See docs/api.md.
 */
export * from "./language/index.ts";
export * from "./engine/index.ts";
