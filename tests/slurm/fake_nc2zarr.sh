#!/bin/bash
# Stands in for nc2zarr in the signal tests of slurm/nc2zarr-requeue.sbatch:
# each rank says it started, then waits until SIGTERM or SIGUSR1 arrives,
# says which one, and exits with 75, as nc2zarr will once it can resume
# ("interrupted, try again"). It ignores its arguments. With FAKE_NC2ZARR_MARKS
# set, each rank also appends its lines to that file: mpirun may drop a
# rank's last output when another rank exits non-zero first.
rank="${PMIX_RANK:-${OMPI_COMM_WORLD_RANK:-${SLURM_PROCID:-?}}}"
say() {
  echo "fake-nc2zarr rank $rank: $1"
  if [[ -n "${FAKE_NC2ZARR_MARKS:-}" ]]; then echo "fake-nc2zarr rank $rank: $1" >> "$FAKE_NC2ZARR_MARKS"; fi
}
# The sleeper ignores the signals (Slurm signals every process of a step), so
# only this script's traps see them.
(trap '' TERM USR1; exec sleep 300) &
sleeper=$!
# shellcheck disable=SC2317  # called from the traps
stop() {
  kill -KILL "$sleeper" 2>/dev/null
  say "got $1"
  exit 75
}
trap 'stop SIGTERM' TERM
trap 'stop SIGUSR1' USR1
say "started"
wait "$sleeper"
say "no signal within 300 s"
exit 1
