#!/usr/bin/env bash
# Runs every test (JUnit 5 via Maven Surefire) and compiles the JMH benchmarks. Needs JDK 25 and ../shared.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  for d in /usr/lib/jvm/*25*; do [ -x "$d/bin/java" ] && export JAVA_HOME="$d" && break; done
fi
export PATH="$JAVA_HOME/bin:$PATH"
exec mvn -B -ntp verify "$@"
