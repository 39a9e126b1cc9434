#!/usr/bin/env bash
# Installs the system programs the test suite drives: Debian's chromium (browser tests),
# PostgreSQL (the registry and API suite runs on a throw-away server) and a Java runtime
# (Spark local mode). Does nothing when they are present; needs root (apt-get) otherwise.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pg_virtualenv >/dev/null 2>&1 || need+=(postgresql postgresql-common)
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jre-headless)
fc-list 2>/dev/null | grep -qi "dejavu\|liberation" || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need: ${need[*]}. Install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
fi
echo "Installing ${need[*]} …" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
