#!/bin/bash
# Runs every test: unit tests, pg_regress suites, and the shell tests in
# tests/*.sh (each starts its own clusters). Installs what it needs first.
# Ends with "N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install_deps.sh || exit 1
passed=0
failed=0
failures=()

# step NAME COMMAND...: runs a step, counts it.
step() {
	local name=$1; shift
	echo "=== $name"
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

build() { make -s >/dev/null && make -s install >/dev/null; }
unit() { make -s -C tests/unit run; }

# pg_regress runs as postgres, on a copy of the tree that postgres owns.
regress() {
	local dir
	dir=$(mktemp -d /tmp/outflow-regress.XXXXXX)
	rsync -a --exclude .git ./ "$dir/"
	chown -R postgres: "$dir"
	chmod 755 "$dir"
	if runuser -u postgres -- make -s -C "$dir" installcheck; then
		rm -rf "$dir"
	else
		cat "$dir/regression.diffs" 2>/dev/null | head -200
		echo "(kept $dir for inspection)"
		return 1
	fi
}

step build build || { echo "0 passed, 1 failed"; exit 1; }
step unit unit
step regress regress
for t in tests/*.sh; do
	[ "$t" = tests/run_all.sh ] && continue
	step "$(basename "$t" .sh)" bash "$t"
done

echo
[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
