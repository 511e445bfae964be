// Ends every run with the line CI reads: `N passed, N failed` (plus skipped when there are any). A file that failed
// to load, a hook or a global setup that threw, an error outside any test: each counts as failed, and so does a run
// that exits non-zero for any other reason, so `0 failed` appears only when the run exits 0.
import { writeSync } from "node:fs";
import type { Reporter, SerializedError, TestModule, TestRunEndReason } from "vitest/node";

export default class SummaryReporter implements Reporter {
  private counts: { passed: number; failed: number; skipped: number } | undefined;

  constructor() {
    // Printed as the process exits, so a teardown that fails after the tests still shows in the count.
    process.once("exit", (code) => {
      const counts = this.counts ?? { passed: 0, failed: 0, skipped: 0 };
      const failed = code !== 0 && counts.failed === 0 ? 1 : counts.failed;
      const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : "";
      writeSync(1, `\n${counts.passed} passed, ${failed} failed${skipped}\n`);
    });
  }

  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError>,
    reason: TestRunEndReason,
  ): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      const failedBefore = failed;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
      // Errors outside any test: the file's own (it did not load, a hook threw) and its suites'.
      for (const holder of [module, ...module.children.allSuites()]) {
        if (holder.errors().length > 0) failed++;
      }
      // A file that failed with nothing to show for it still failed.
      if (module.state() === "failed" && failed === failedBefore) failed++;
    }
    failed += unhandledErrors.length;
    if (reason !== "passed" && failed === 0) failed++;
    this.counts = { passed, failed, skipped };
  }
}
