#!/usr/bin/env bash
# Early decision against every technique it composes with: for each combination, on one layer, of
# {threshold pruning only, pooling pruning} x {kernel pruning or not} x {spatial pruning or not} x
# {stride 1, stride > 1}, plus pooling pruning before a max-pool whose stride is not its kernel, the
# first PER random networks (random_flow.cpp, seeds FIRST..LAST) that have such a layer go through the
# whole flow: generated, built in Verilator, random images with random stalls on both streams, scores,
# classes, every counter and AXI-Lite register compared with the golden model.
# Prints a table (combination, seeds, passed) and "N passed, N failed"; exit 1 on any failure.
#   verif/random/soak_early.sh [PER] [FIRST] [LAST] [PARALLEL]   (default: 3 1 20000 $(nproc))
# Builds the runner with the ci preset first. Work files in build/random_flow_early.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
per=${1:-3}
first=${2:-1}
last=${3:-20000}
parallel=${4:-$(nproc)}
work=$root/build/random_flow_early

cd "$root"
scripts/setup.sh
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$(nproc)" --target bnngen_random_flow >/dev/null
runner=$root/build/ci/verif/bnngen_random_flow
rm -rf "$work" && mkdir -p "$work"

combinations=()
for prune in no-pooling pooling; do
  for keep in keep no-keep; do
    for spatial in spatial no-spatial; do
      for stride in stride no-stride; do
        combinations+=("early+$prune+$keep+$spatial+$stride")
      done
    done
  done
done
combinations+=("early+pooling+pool-stride")

# combination -> its first PER seeds; every distinct seed runs once
: > "$work/plan"
for c in "${combinations[@]}"; do
  "$runner" --first "$first" --count $(( last - first + 1 )) --with "$c" --list > "$work/list"
  grep -o '^seed [0-9]*' "$work/list" | sed -n "1,${per}p" | while read -r _ seed; do echo "$c $seed"; done >> "$work/plan"
done
start=$SECONDS
cut -d' ' -f2 "$work/plan" | sort -un |
  xargs -P "$parallel" -I{} sh -c "'$runner' --first {} --count 1 --jobs 1 --work '$work/seed{}' > '$work/seed{}.log' 2>&1 || true"

echo "early decision soak: $(cut -d' ' -f2 "$work/plan" | sort -u | wc -l) networks in $(( SECONDS - start )) s"
/usr/bin/python3 - "$work" <<'EOF'
import re, sys
work = sys.argv[1]
plan = [line.split() for line in open(f"{work}/plan")]
verdict, failures = {}, []
for seed in sorted({int(s) for _, s in plan}):
    log = open(f"{work}/seed{seed}.log").read()
    m = re.search(r"^seed \d+: ([^:]+):", log, re.M)
    verdict[seed] = m.group(1) if m else "NO RESULT"
    if verdict[seed] not in ("ok", "rejected by check (hardware support)"):
        failures.append(log.strip())
print("| layer with early decision | seeds | passed |")
print("|---|---|---:|")
for combination in dict.fromkeys(c for c, _ in plan):
    seeds = [int(s) for c, s in plan if c == combination]
    ok = sum(verdict[s] == "ok" for s in seeds)
    print(f"| {combination.replace('early+', '').replace('+', ', ')} | {' '.join(map(str, seeds))} | {ok}/{len(seeds)} |")
for f in failures:
    print(f)
passed = sum(v == "ok" for v in verdict.values())
print(f"{passed} passed, {len(verdict) - passed} failed")
sys.exit(1 if failures or passed != len(verdict) else 0)
EOF
