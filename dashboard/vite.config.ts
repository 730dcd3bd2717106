/**
 * Vite configuration of the dashboard (root: `dashboard/`, output: `dashboard/dist`), which
 * `obc serve --portfolio FILE` serves at `/dashboard/` beside its API.
 *
 *   npx vite build --config dashboard/vite.config.ts   static build into dashboard/dist (npm run build:dashboard)
 *   npx vite --config dashboard/vite.config.ts         dev server on http://127.0.0.1:5174/, the API
 *                                                       proxied to an `obc serve --portfolio` on port 8787
 *
 * Everything is bundled locally: the page needs no network but the desk's own API.
 */
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { host: "127.0.0.1", port: 5174, proxy: { "/portfolio/api": "http://127.0.0.1:8787" } },
});
