#!/usr/bin/env bash
# Installs, from Debian's packages, what the tests and checks need and the machine lacks
# (tools/system-packages.txt). Only missing commands get their package: a kubectl from another
# package stays, since Debian's kubernetes-client would collide with it. Run as root (or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
while read -r command package _; do
  case "$command" in '' | '#'*) continue ;; esac
  command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done <tools/system-packages.txt
if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: nothing missing"
  exit 0
fi
echo "system packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system packages: installed ${missing[*]}"
