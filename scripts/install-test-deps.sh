#!/usr/bin/env bash
# Debian packages the interop tests talk to Midge through (argon2: the reference tool, for hash vectors; chromium: the browser tests). Installed only where missing.
set -euo pipefail
need=()
command -v mosquitto_pub >/dev/null 2>&1 || need+=(mosquitto-clients)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v argon2 >/dev/null 2>&1 || need+=(argon2)
/usr/bin/python3 -c 'import paho.mqtt.client' >/dev/null 2>&1 || need+=(python3-paho-mqtt)
[ -x /usr/bin/chromium ] || need+=(chromium)
# Database servers for the auth provider tests; each test file starts private instances (test/helpers/db-services.ts).
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
# systemd-analyze checks packaging/midge.service offline; no running systemd is needed.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
# The cluster tests put a real TCP load balancer in front of several midge processes (test/helpers/haproxy.ts).
command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  echo "installing Debian packages: ${need[*]}"
  $SUDO apt-get update -qq
  # The tests start their own servers: keep the packages' system services from starting (ports 5432/3306/6379).
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
