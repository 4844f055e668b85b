import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Builds dist/ first (no stale bundle) and checks the run leaves nothing in its temp folder.
    globalSetup: ["test/setup/global.ts"],
    // under CI a skipped test fails the run (test/setup/no-skips.ts)
    reporters: process.env.CI ? ["default", "./test/setup/no-skips.ts"] : ["default"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // 2 cores: network namespaces, sshd and podman tests must not trample each other.
    maxWorkers: 2,
  },
});
