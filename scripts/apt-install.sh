#!/usr/bin/env bash
# Installs the Debian packages named after the label, if any, as root (through sudo when needed).
# Usage: scripts/apt-install.sh "what they are for" package...   (no package: says all are present)
set -euo pipefail

label=$1
shift
if [ $# -eq 0 ]; then
  echo "$label: all present"
  exit 0
fi
echo "$label to install: $*"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
echo "$label: installed $*"
