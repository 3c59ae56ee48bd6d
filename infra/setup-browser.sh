#!/usr/bin/env bash
# Debian's Chromium for the Dagster UI test (Playwright drives it and never downloads a browser).
# Only `make test` needs it; a machine that has it returns at once.
set -euo pipefail
command -v chromium >/dev/null && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "setup: the UI test needs Debian's chromium: sudo apt-get install chromium" >&2
  exit 1
fi
echo "setup: installing Debian's chromium"
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null
