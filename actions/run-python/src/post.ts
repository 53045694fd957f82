// The post step (runs: post, post-if: always()). Modes run and dispatch will upload the
// artifacts of a cancelled job and cancel a dispatched run here; plan has nothing to do.
