#!/usr/bin/env bash
# Installs the Debian packages Peregrine's integration tests start as real peers: nats-server (JetStream bus),
# prometheus (scrapes /metrics), prometheus-alertmanager (receives alerts), chromium (dashboard test) and openssl
# (makes the test PKI of the TLS / mutual-TLS test).
# Tests that need one of them skip with a reason when it is absent, so this is what makes CI run them.
set -euo pipefail
need=()
command -v nats-server >/dev/null || need+=(nats-server)
command -v prometheus >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
command -v chromium >/dev/null || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then echo "test peers present: nats-server prometheus prometheus-alertmanager chromium openssl"; exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo -n"; else echo "cannot install ${need[*]} (not root, no sudo): their tests will skip"; exit 0; fi
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || echo "apt-get update failed; trying the install with the cached lists"
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the services at install when systemd runs; the tests start their own on free ports.
for s in prometheus prometheus-alertmanager nats-server; do $SUDO systemctl stop "$s" >/dev/null 2>&1 || true; done
echo "installed: ${need[*]}"
