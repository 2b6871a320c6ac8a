#!/usr/bin/env bash
# Install the system packages authmap's demo and tests need, only where missing (idempotent).
# Usage: scripts/bootstrap.sh [java] [maven] [go] [samba] [node] [chromium]
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "bootstrap: apt-get not found; install these yourself: $*" >&2
    exit 1
  fi
  if [ -z "$APT_UPDATED" ]; then
    $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

java_ok() {
  # Neo4j 5.26 runs on Java 17 or 21: accept JAVA_HOME, java on PATH or a JDK under /usr/lib/jvm.
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for j in /usr/lib/jvm/*/bin/java; do [ -x "$j" ] && candidates+=("$j"); done
  for j in "${candidates[@]}"; do
    if "$j" -version 2>&1 | grep -qE 'version "(17|21)[."]'; then return 0; fi
  done
  return 1
}

for want in "$@"; do
  case "$want" in
    java) java_ok || apt_install openjdk-17-jre-headless ;;
    maven) command -v mvn >/dev/null 2>&1 || apt_install maven ;;
    go) command -v go >/dev/null 2>&1 || apt_install golang-go ;;
    samba)
      command -v samba >/dev/null 2>&1 && command -v samba-tool >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 ||
        apt_install samba samba-ad-dc samba-ad-provision winbind ldb-tools openssl iproute2 ;;
    node) command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || apt_install nodejs npm ;;
    chromium) command -v chromium >/dev/null 2>&1 || apt_install chromium ;;
    *) echo "bootstrap: unknown component $want" >&2; exit 2 ;;
  esac
done
