#!/usr/bin/env bash
# Soak of the whole hardware flow on random networks (random_flow.cpp): seeds FIRST .. FIRST+COUNT-1,
# split over PARALLEL runners (one Verilator build at a time each). Prints one line per seed (the
# network and the verdict), the failures again at the end, and "N passed, N failed".
#   verif/random/soak.sh [FIRST] [COUNT] [PARALLEL] [WITH]   (default: 1 300 $(nproc); WITH = early,
#   pooling, spatial or keep runs only the seeds whose network uses that technique)
# Builds the runner with the ci preset first. Work files in build/random_flow_soak.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
first=${1:-1}
count=${2:-300}
parallel=${3:-$(nproc)}
with=${4:+--with $4}
work=$root/build/random_flow_soak

cd "$root"
scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target bnngen_random_flow >/dev/null
runner=$root/build/ci/verif/bnngen_random_flow
mkdir -p "$work"

start=$SECONDS
pids=()
per=$(( (count + parallel - 1) / parallel ))
for ((p = 0; p < parallel; ++p)); do
  from=$(( first + p * per ))
  n=$(( count - p * per < per ? count - p * per : per ))
  (( n > 0 )) || continue
  # shellcheck disable=SC2086
  "$runner" --first "$from" --count "$n" --jobs 1 --work "$work/runner$p" $with > "$work/runner$p.log" 2>&1 &
  pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

for ((p = 0; p < parallel; ++p)); do cat "$work/runner$p.log" 2>/dev/null; done | grep -E '^seed |^  ' > "$work/all.log" || true
cat "$work/all.log"
passed=$(grep -c '^seed [0-9]*: \(ok\|rejected\)' "$work/all.log" || true)
total=$(grep -c '^seed ' "$work/all.log" || true)
failed=$(( total - passed ))
echo "== failures"
grep -A1 -E '^seed [0-9]+: [A-Z]' "$work/all.log" || echo "none"
echo "random flow soak: seeds $first to $(( first + count - 1 )), $total run in $(( SECONDS - start )) s"
echo "$passed passed, $failed failed"
(( failed == 0 )) && { [ -n "$with" ] || (( total == count )); }
