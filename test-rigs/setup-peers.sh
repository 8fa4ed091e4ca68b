#!/usr/bin/env bash
# Installs the real peers Sluice's integration tests start on 127.0.0.1:
#   - mosquitto + mosquitto-clients (Debian packages): the AWS IoT Core stand-in (MQTT with mutual TLS);
#   - npm kinesis-local@0.6.2 (pinned in test-rigs/peers/package-lock.json): the Kinesis emulator;
#   - npm parse-prometheus-text-format@1.1.1 (same lock file): the independent parser of the /metrics test.
# Idempotent: does nothing when all are present. Never reads stdin. Usage: test-rigs/setup-peers.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peers="$here/peers"

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else
    echo "setup-peers: need root (or passwordless sudo) to run: $*" >&2; return 1; fi
}

if ! command -v mosquitto >/dev/null 2>&1 && [[ ! -x /usr/sbin/mosquitto ]] || ! command -v mosquitto_sub >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-cache show mosquitto >/dev/null 2>&1 || ! as_root apt-get install -y -q mosquitto mosquitto-clients </dev/null >/dev/null 2>&1; then
    echo "setup-peers: apt-get update" >&2
    as_root apt-get update -q </dev/null >/dev/null
    as_root apt-get install -y -q mosquitto mosquitto-clients </dev/null >/dev/null
  fi
  echo "setup-peers: installed $(/usr/sbin/mosquitto -h 2>/dev/null | head -1)" >&2
fi

if [[ ! -f "$peers/node_modules/kinesis-local/main.js" || ! -f "$peers/node_modules/parse-prometheus-text-format/package.json" ]]; then
  command -v npm >/dev/null 2>&1 || { echo "setup-peers: npm is missing (Node 20 with npm expected)" >&2; exit 1; }
  echo "setup-peers: npm ci in $peers" >&2
  (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null)
fi
