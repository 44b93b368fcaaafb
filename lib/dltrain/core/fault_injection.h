// Deterministic fault injection for crash tests: DLTRAIN_FAULT_AT="point:N[:SIGNAL],..." sends
// SIGNAL (default SIGKILL) to the process the N-th time execution reaches `point`. Unset: no-op.
// Points: step (mid-batch, after backward, before the optimizer step), validation (after the
// train pass, before validation), metrics_written (epoch row written, checkpoints not yet),
// checkpoint_write (temporary checkpoint file written, not yet renamed), epoch_end (after the
// epoch's checkpoints, before the next epoch). DLTRAIN_FAULT_RANK=r: only in the distributed
// job's rank r.
#pragma once

namespace dltrain {

void fault_point(const char* point);

}  // namespace dltrain
