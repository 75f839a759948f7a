import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Where the suite's setup builds the browser page once (test/support/global-setup.ts); every server of the suite serves it. */
export const TEST_PAGE_DIR = fileURLToPath(new URL("./test-output/page/", import.meta.url));

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    env: { PAGE_DIR: TEST_PAGE_DIR },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
    outputFile: { json: "test-output/results.json" },
  },
});
