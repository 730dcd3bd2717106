/**
 * Precompressed assets for the editor's static build (a Vite plugin, Node only).
 *
 * At build time every text asset of `editor/dist` (JS, CSS, HTML, SVG, fonts) gets a `.gz`
 * (gzip level 9) and a `.br` (Brotli quality 11) beside it. `vite preview` then serves the
 * precompressed file that the browser accepts (Brotli first), with `Content-Encoding` and
 * `Vary: Accept-Encoding`, instead of compressing on every request; any other static server
 * can do the same with the files (nginx `gzip_static` / `brotli_static`).
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin } from "vite";

const COMPRESSIBLE = new Set([".js", ".mjs", ".css", ".html", ".svg", ".json", ".ttf", ".txt", ".map"]);
const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".ttf": "font/ttf",
  ".txt": "text/plain; charset=utf-8",
  ".map": "application/json; charset=utf-8",
};
/** files smaller than this are served as they are */
const MIN_BYTES = 1024;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else out.push(path);
  }
  return out;
}

/** Writes `<file>.gz` and `<file>.br` beside every compressible file of `dir`. */
export async function precompressDir(dir: string): Promise<void> {
  for (const file of await filesUnder(dir)) {
    if (!COMPRESSIBLE.has(extname(file))) continue;
    const data = await readFile(file);
    if (data.length < MIN_BYTES) continue;
    await writeFile(`${file}.gz`, gzipSync(data, { level: 9 }));
    await writeFile(
      `${file}.br`,
      brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
    );
  }
}

/** The encoding to serve for an `Accept-Encoding` header: Brotli, then gzip, else none. */
export function chooseEncoding(accept: string | undefined): "br" | "gzip" | undefined {
  const tokens = new Set((accept ?? "").split(",").map((t) => t.split(";")[0]!.trim().toLowerCase()));
  if (tokens.has("br")) return "br";
  if (tokens.has("gzip")) return "gzip";
  return undefined;
}

export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "obc-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      await precompressDir(outDir);
    },
  };
}

/** `vite preview` serves the `.br` / `.gz` files written at build time. */
export function servePrecompressed(): Plugin {
  return {
    name: "obc-serve-precompressed",
    configurePreviewServer(server) {
      const root = resolve(server.config.root, server.config.build.outDir);
      server.middlewares.use((req, res, next) => {
        if (req.method !== "GET" && req.method !== "HEAD") return next();
        const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
        const file = resolve(root, `.${path.endsWith("/") ? `${path}index.html` : path}`);
        if (!file.startsWith(root + sep) || !TYPES[extname(file)]) return next();
        const encoding = chooseEncoding(req.headers["accept-encoding"]);
        const compressed = encoding && `${file}.${encoding === "br" ? "br" : "gz"}`;
        if (!compressed || !existsSync(compressed)) return next();
        const { size, mtimeMs } = statSync(compressed);
        res.statusCode = 200;
        res.setHeader("Content-Type", TYPES[extname(file)]!);
        res.setHeader("Content-Encoding", encoding);
        res.setHeader("Content-Length", String(size));
        res.setHeader("Vary", "Accept-Encoding");
        res.setHeader("ETag", `W/"${size}-${Math.floor(mtimeMs)}-${encoding}"`);
        // hashed file names never change content; the page itself is checked every time
        res.setHeader("Cache-Control", path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        if (req.method === "HEAD") return res.end();
        createReadStream(compressed).pipe(res);
      });
    },
  };
}
