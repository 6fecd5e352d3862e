#!/usr/bin/env bash
# bench-series.sh OLMOE_Q4_0 OLMOE_Q8_0 [ROUNDS]
# The performance section's series: bench in separate processes, olmoe Q4_0, tiny Q8_0, olmoe Q8_0, tiny Q4_K_M,
# ROUNDS times over (default 2), then olmoe Q4_0 once more; each process's medians, decode bandwidth and the memory
# read speed right after. Make the olmoe files once with:
#   ./moe4j synth --shape olmoe-1b-7b --type Q4_0 /tmp/olmoe-q4_0.gguf   (and --type Q8_0)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[ $# -ge 2 ] || { echo "usage: $0 OLMOE_Q4_0 OLMOE_Q8_0 [ROUNDS]" >&2; exit 2; }
q4="$1"; q8="$2"; rounds="${3:-2}"
tiny="$here/../shared/models/tiny-code-moe"
run() {
  echo "== $(date -u +%H:%M:%S) $*"
  "$here/moe4j" bench "$@" 2>/dev/null | grep -E "^(pp|tg)[0-9]+ |memory read|weight copies|decode weight"
}
for ((i = 0; i < rounds; i++)); do
  run -m "$q4" -p 64 -n 32 -r 3 -t 2
  run -m "$tiny/tiny-code-moe-q8_0.gguf" -p 128 -n 64 -r 10 -t 2
  run -m "$q8" -p 64 -n 32 -r 3 -t 2
  run -m "$tiny/tiny-code-moe-q4_k_m.gguf" -p 128 -n 64 -r 10 -t 2
done
run -m "$q4" -p 64 -n 32 -r 3 -t 2
