import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // 2 cores: network namespaces, sshd and podman tests must not trample each other.
    maxWorkers: 2,
  },
});
