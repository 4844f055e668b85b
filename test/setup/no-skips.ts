// Under CI: a test that did not run (skipped, todo) fails the run — a missing program must never
// silently drop coverage (test/helpers/require.ts fails those tests under CI; this catches the rest).
// Prints one closing line in the plain "N passed, N failed, N skipped" form.
import type { Reporter, TestModule } from "vitest/node";

export default class NoSkips implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    const notRun: string[] = [];
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else notRun.push(`${m.moduleId}: ${t.fullName} (${state})`);
      }
    }
    if (notRun.length) {
      console.error(`CI: ${notRun.length} tests did not run:\n${notRun.join("\n")}`);
      process.exitCode = 1;
    }
    console.log(`CI: ${passed} passed, ${failed} failed, ${notRun.length} skipped`);
  }
}
