#!/bin/bash
# Installs what building and testing outflow needs on Debian 12 (as root).
# Does nothing for packages already installed.
set -euo pipefail

PACKAGES=(
	build-essential postgresql-15 postgresql-server-dev-15 postgresql-client-15 postgresql-contrib
	postgresql-15-wal2json nlohmann-json3-dev libgtest-dev libipc-run-perl python3 rsync
)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# In CI, bring the server to the newest minor release too (15.19 and later
# have output_plugin_libraries, which the tests must cover).
if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ]; then
	missing=("${PACKAGES[@]}")
fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages: ${missing[*]} (run as root to install them)" >&2
		exit 1
	fi
	echo "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's postgresql package starts a "main" cluster on 5432; our tests use
# their own clusters on free ports and do not need it.
