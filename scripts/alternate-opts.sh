#!/usr/bin/env bash
# alternate-opts.sh PAIRS "JAVA_OPTS_A" "JAVA_OPTS_B" BENCH_ARGS...
# Runs `moe4j bench BENCH_ARGS` in PAIRS pairs of processes, A then B, with MOE4J_JAVA_OPTS set to each, and prints
# each process's median tok/s per row and the memory read speed after it. Processes alternate so that the shared
# VM's drift (memory read speed 22-70 GB/s within an hour) falls on both. Example (4 KB against 2 MB pages):
#   scripts/alternate-opts.sh 5 -Dmoe4j.smallPages=true "" -m /tmp/olmoe-q4_0.gguf -p 0 -n 32 -r 5 -t 2
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs=$1 a=$2 b=$3
shift 3
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for i in $(seq 1 "$pairs"); do
  for side in A B; do
    opts=$a; [ $side = B ] && opts=$b
    MOE4J_JAVA_OPTS="$opts" "$here/moe4j" bench "$@" 2>/dev/null >"$out"
    rows=$(awk '/^(pp|tg)[0-9]+ / {sub(",", "", $7); printf "%s %s  ", $1, $7}' "$out")
    memory=$(sed -n 's/^memory read speed.*after: \([0-9.]*\) GB.*/\1/p' "$out")
    echo "pair $i $side: ${rows}memory ${memory:-n/a} GB/s"
  done
done
