# Shell helpers shared by the hardware benchmarks (bench/*_hw.sh): source it after `set -euo pipefail`.

# same_scores RTL.npy TRAINED.npy: the RTL's scores against the trained model's own (the first rows
# of test_scores.npy); prints the count that differ, fails if any does.
same_scores() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import numpy as np, sys
rtl, trained = np.load(sys.argv[1]), np.load(sys.argv[2])
n = len(rtl)
differ = int((rtl != trained[:n]).any(axis=1).sum())
print(f"{differ} of {n} images' scores differ from the trained model's")
sys.exit(1 if differ else 0)
PY
}

# verify_clean BNNGEN YAML IMAGES_FILE IMAGES DESIGN_DIR BUILD_DIR OUT_PREFIX: bnngen verify without
# stalls into OUT_PREFIX.verify.txt (scores OUT_PREFIX.scores.npy); fails, printing the report,
# unless every image matches the golden model and every counter equals its count.
verify_clean() {
  local bnngen=$1 yaml=$2 images_file=$3 images=$4 design=$5 build=$6 out=$7
  "$bnngen" verify "$yaml" --images "$images_file" --limit "$images" --out "$out.scores.npy" -o "$design" \
    --build-dir "$build" > "$out.verify.txt"
  grep -q "^mismatches: 0 of $images images" "$out.verify.txt" || { cat "$out.verify.txt"; return 1; }
  if grep -q MISMATCH "$out.verify.txt"; then cat "$out.verify.txt"; return 1; fi
}

# bench_options DEFAULT_WORK "$@": the hardware benchmarks' common arguments,
#   [BNNGEN] [WORK_DIR] [IMAGES] [--no-synth | --synth=NAME,...]
# (defaults build/ci/generator/bnngen, build/bench/DEFAULT_WORK, 100); sets bnngen, work (created,
# absolute), images, synth (all, empty, or ,NAME,NAME,) and data (the Fashion-MNIST folder).
# Needs `root`, the repository.
bench_options() {
  local default_work=$1
  shift
  bnngen=${1:-$root/build/ci/generator/bnngen}
  work=${2:-$root/build/bench/$default_work}
  images=${3:-100}
  synth=all
  case "${4:-}" in
    --no-synth) synth= ;;
    --synth=*) synth=,${4#--synth=}, ;;
    "") ;;
    *) echo "unknown option: $4" >&2; exit 2 ;;
  esac
  mkdir -p "$work" && work=$(cd "$work" && pwd)
  data=/usr/share/datasets/fashion-mnist
}

# only_networks: keeps the entries NAME:... of the array `networks` that $ONLY (NAME,NAME) names,
# all of them when ONLY is unset.
only_networks() {
  [ -n "${ONLY:-}" ] || return 0
  local chosen=() entry
  for entry in "${networks[@]}"; do [[ ",$ONLY," == *",${entry%%:*},"* ]] && chosen+=("$entry"); done
  networks=("${chosen[@]}")
}

# synthesises NAME: whether the options ask for Yosys on network NAME.
synthesises() { [ "$synth" = all ] || [[ "$synth" == *",$1,"* ]]; }
