#!/usr/bin/env bash
# Soak run of the input fuzzer (generator/tests/fuzz/fuzz_inputs.cpp) under AddressSanitizer +
# UndefinedBehaviorSanitizer: N mutated network descriptions, weights archives, images and labels
# through what `bnngen check` and `bnngen infer` run, in process, plus CLI_CASES runs of the real
# binary. Prints the counts and the time; exits non-zero on any crash, hang, sanitizer report or
# uncaught exception.
#   bench/fuzz_inputs.sh [N] [SEED] [BUILD_DIR]     # default 20000 cases, seed 1, build/asan
# CLI_CASES (default 100) and CASE_SECONDS (default 20, the bound after which a case is a hang)
# come from the environment. Failing CLI mutants are kept in BUILD_DIR/fuzz_failures.
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000} seed=${2:-1} build=${3:-build/asan}
if [[ ! -x $build/generator/tests/bnngen_fuzz_inputs ]]; then
  cmake --preset asan >/dev/null
  cmake --build "$build" -j2 --target bnngen bnngen_fuzz_inputs
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
exec "$build/generator/tests/bnngen_fuzz_inputs" --cases "$cases" --seed "$seed" \
  --bnngen "$build/generator/bnngen" --cli-cases "${CLI_CASES:-100}" \
  --case-seconds "${CASE_SECONDS:-20}" --keep "$build/fuzz_failures"
