import type {Reporter, TestModule, Vitest} from 'vitest/node'

/**
 * Under CI a skipped test fails the run. A prerequisite that is missing on the CI machine (a tool provisioning no
 * longer puts where a test looks, a stale copy that happened to be there) must not turn into a green run with
 * fewer tests in it. Outside CI skips are reported as usual; a run filtered by -t (which skips the rest on
 * purpose) is not judged.
 */
export default class NoSkipsUnderCi implements Reporter {
  private filtered = false

  onInit(vitest: Vitest): void {
    this.filtered = Boolean(vitest.config.testNamePattern)
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (process.env.CI !== 'true' || this.filtered) return
    const skipped = testModules.flatMap((m) =>
      [...m.children.allTests('skipped')].map((t) => `${t.module.relativeModuleId}: ${t.fullName}`),
    )
    if (skipped.length === 0) return
    process.stderr.write(
      `\n${skipped.length} test(s) skipped under CI=true (a skip fails a CI run):\n  ${skipped.join('\n  ')}\n`,
    )
    process.exitCode = 1
  }
}
