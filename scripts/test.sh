#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds with
# warnings as errors, runs every test (CTest), runs the unit tests again under ASan + UBSan, and
# runs the PyTorch trainer's smoke test and its spatial-pruning-aware training against the golden model.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh --train

echo "== build and test (release, -Werror)"
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"

echo "== build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
# Only what the sanitizer run executes (label unit: the unit tests, the fuzzer and the CLI it drives).
cmake --build --preset asan -j "$jobs" --target bnngen bnngen_tests bnngen_fuzz_inputs
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs" -L unit

echo "== trainer smoke test (PyTorch, CPU)"
/usr/bin/python3 examples/train/test_train_smoke.py
/usr/bin/python3 examples/train/test_spatial_training.py build/ci/generator/bnngen
