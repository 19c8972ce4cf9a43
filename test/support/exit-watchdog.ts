/**
 * A mocha root hook: the suite runs without `--exit` so that a handle a test leaves open is seen,
 * but a forgotten handle must not hang CI until its time limit. Once every test has run, a process
 * still alive after a grace period prints what keeps it alive and exits with mocha's own result.
 */
const GRACE_MS = 20_000;

export const mochaHooks = {
  afterAll(): void {
    const timer = setTimeout(() => {
      const open = process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap");
      console.error(`exit-watchdog: still running ${GRACE_MS / 1000} s after the suite; open: ${open.join(", ")}`);
      // Mocha's exit listener sets the code from the failures: exiting here keeps a red run red.
      process.exit();
    }, GRACE_MS);
    timer.unref();
  },
};
