# Sourced by bin/* scripts: finds a JDK 25+ the way the ecosystem does and exports JAVA_HOME.
# Order: $JAVA_HOME if it is 25+, then the standard install locations (newest first).

_jdk_major() { # prints the feature version of the JDK at $1, or nothing
  local home=$1 v
  [ -x "$home/bin/java" ] || return 0
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  fi
  echo "$v"
}

find_jdk25() {
  local best="" best_v=0 home v
  if [ -n "${JAVA_HOME:-}" ]; then
    v=$(_jdk_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then
      echo "$JAVA_HOME"
      return 0
    fi
  fi
  for home in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
              /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$home" ] || continue
    v=$(_jdk_major "$home")
    if [ -n "$v" ] && [ "$v" -ge 25 ] && [ "$v" -gt "$best_v" ]; then
      best=$home
      best_v=$v
    fi
  done
  if [ -z "$best" ]; then
    return 1
  fi
  echo "$best"
}

require_jdk25() {
  local home
  if ! home=$(find_jdk25); then
    echo "panama-cnn needs JDK 25 or newer: install one (Debian/Ubuntu: apt-get install temurin-25-jdk from Adoptium, or any JDK 25 build) or set JAVA_HOME to it." >&2
    exit 1
  fi
  export JAVA_HOME=$home
}
