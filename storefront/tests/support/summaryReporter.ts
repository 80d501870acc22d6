import type { Reporter, TestModule } from 'vitest/node';

/**
 * Adds one plain closing line, "storefront: N passed, N failed[, N skipped]", that CI
 * scripts read whatever the test runner (vitest's own summary is not in that form).
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed' || state === 'failed' || state === 'skipped') {
          counts[state] += 1;
        }
      }
      // A file that failed to load has no tests to count: it is a failure all the same.
      if (module.state() === 'failed' && [...module.children.allTests()].length === 0) {
        counts.failed += 1;
      }
    }
    counts.failed += unhandledErrors.length;
    const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
    process.stdout.write(`\nstorefront: ${counts.passed} passed, ${counts.failed} failed${skipped}\n`);
  }
}
