#!/usr/bin/env bash
# ab-builds.sh REV_A REV_B MODEL ROUNDS [TOKENS [PREFILL]]
# Compiles the engine at two git revisions (WORKTREE for the working tree) and runs them side by side in one
# process, windows alternating (AbBuilds.java says why). Example:
#   scripts/ab-builds.sh HEAD WORKTREE ../shared/models/tiny-code-moe/tiny-code-moe-q8_0.gguf 300
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work="$(mktemp -d)"
trap 'git -C "$here" worktree prune; rm -rf "$work"' EXIT
classes() {
  local rev=$1 dir=$2
  if [ "$rev" = WORKTREE ]; then
    (cd "$here" && mvn -q -B -o compile -pl moe4j-engine) 2>&1 | { grep -v WARNING || true; } >&2
    cp -r "$here/moe4j-engine/target/classes" "$dir"
  else
    git -C "$here" worktree add -q --detach "$work/src-$(basename "$dir")" "$rev"
    (cd "$work/src-$(basename "$dir")" && mvn -q -B -o compile -pl moe4j-engine) 2>&1 | { grep -v WARNING || true; } >&2
    cp -r "$work/src-$(basename "$dir")/moe4j-engine/target/classes" "$dir"
    git -C "$here" worktree remove --force "$work/src-$(basename "$dir")"
  fi
}
classes "$1" "$work/a"
classes "$2" "$work/b"
"$JAVA_HOME/bin/javac" -d "$work/harness" "$here/scripts/AbBuilds.java"
# the launcher's JVM options (./moe4j), with room for two models' copies
exec_java=("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
  -Xms2g -Xmx8g -XX:MaxDirectMemorySize=16g -XX:+UseParallelGC -XX:+AlwaysPreTouch -XX:CICompilerCount=4
  -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0
  "@$here/jit.options")
"${exec_java[@]}" -cp "$work/harness" AbBuilds "$work/a" "$work/b" "${@:3}" 2>&1 | grep -v "^WARNING: Using incubator"
