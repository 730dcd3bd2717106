import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // the CLI the tests start runs dist/: built first when a source changed
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    pool: "forks",
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [...configDefaults.exclude, "test/browser/**/*.e2e.test.ts"] },
      },
      {
        // Chromium tests of the editor: one build, one preview server and one browser for all files
        extends: true,
        test: { name: "browser", include: ["test/browser/**/*.e2e.test.ts"], globalSetup: ["test/browser/setup.ts"], hookTimeout: 60_000 },
      },
    ],
  },
});
