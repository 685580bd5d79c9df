#!/bin/bash
# Installs what building and testing outflow needs on Debian (as root), for
# the PostgreSQL major PG_MAJOR (default: the one pg_config reports, else 15).
# Does nothing for packages already installed.
set -euo pipefail

major=${PG_MAJOR:-$(pg_config --version 2>/dev/null | sed -n 's/^PostgreSQL \([0-9]*\).*/\1/p')}
major=${major:-15}
PACKAGES=(
	build-essential "postgresql-$major" "postgresql-server-dev-$major" "postgresql-client-$major"
	nlohmann-json3-dev libgtest-dev libipc-run-perl python3 rsync
)
# the wal2json oracle, where Debian packages it for this major
case $major in 13|15|17|18) PACKAGES+=("postgresql-$major-wal2json") ;; esac
# the chroots of the other majors (tests/versions.sh)
[ "$major" = 15 ] && PACKAGES+=(postgresql-contrib debootstrap)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# In CI on the host, bring the server to the newest minor release too (15.19
# and later have output_plugin_libraries, which the tests must cover).
if [ "${CI:-}" = true ] && [ "$(id -u)" = 0 ] && [ -z "${OUTFLOW_IN_CHROOT:-}" ]; then
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
