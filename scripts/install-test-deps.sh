#!/usr/bin/env bash
# Debian packages the interop tests talk to Midge through (argon2: the reference tool, for hash vectors; chromium: the browser tests). Installed only where missing.
set -euo pipefail
need=()
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v argon2 >/dev/null 2>&1 || need+=(argon2)
/usr/bin/python3 -c 'import paho.mqtt.client' >/dev/null 2>&1 || need+=(python3-paho-mqtt)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
