#!/usr/bin/env bash
# Installs, from Debian's packages, what the portal itself needs to run beyond Python's packages:
# the libraries WeasyPrint draws receipts' PDFs with (Pango, HarfBuzz's subsetter), a fallback font,
# and xmlsec1, with which pysaml2 signs and checks SPID/CIE messages (and `flask update-spid-registry`
# checks the registry's signature). `make run` runs it; scripts/system-deps.sh (for `make test`) runs it too.
set -euo pipefail

packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core xmlsec1)

need=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need+=("$package")
done

"$(dirname "$0")/apt-install.sh" "run-time system packages" ${need[@]+"${need[@]}"}
