#!/bin/bash
# Runs every test: the wall check, unit tests, make installcheck (pg_regress
# suites, isolation specs, Perl TAP tests in tests/tap/t, each starting its
# own clusters), on the host's PostgreSQL, then
# the same on every other major in its chroot (tests/versions.sh).
# Installs what it needs first. Ends with "N passed, M failed".
#   tests/run_all.sh                 host major, then 13 17 18 19
#   tests/run_all.sh --this-major    only the PostgreSQL that pg_config names
#   OUTFLOW_MAJORS="17 18" tests/run_all.sh   host, then these majors
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/as_root.sh"
cd "$root"
# One function, read in full before it runs (editing the file meanwhile is harmless).
main() {
	this_major_only=
	[ "${1:-}" = --this-major ] && this_major_only=1

	scripts/install_deps.sh || exit 1
	passed=0
	failed=0
	skipped=0
	failures=()

	# step NAME COMMAND...: runs a step, counts it.
	step() {
		local name=$1 rc=0; shift
		echo "=== $name"
		"$@" || rc=$?
		if [ $rc = 0 ]; then
			passed=$((passed + 1))
		elif [ $rc = 77 ]; then   # the step says it cannot run here, and why
			skipped=$((skipped + 1))
		else
			failed=$((failed + 1))
			failures+=("$name")
		fi
		return $rc
	}

	build() { make -s clean >/dev/null && make -s -j"$(nproc)" WERROR=1 >/dev/null && make -s install >/dev/null; }
	unit() { make -s -C tests/unit run; }

	# make installcheck (PGXS: pg_regress suites, isolation specs, TAP tests)
	# runs as postgres, on a copy of the tree that postgres owns, one kind of
	# test a step: the other kinds are switched off on the command line.
	copy=
	as_postgres_copy() {
		copy=$(mktemp -d /tmp/outflow-installcheck.XXXXXX)
		rsync -a --exclude .git ./ "$copy/"
		chown -R postgres: "$copy"
		chmod 755 "$copy"
	}
	installcheck() {
		local what=$1; shift
		if runuser -u postgres -- make -s -C "$copy" installcheck "$@"; then
			return 0
		fi
		case $what in
		regress) cat "$copy/regression.diffs" 2>/dev/null | head -200 ;;
		isolation) cat "$copy/output_iso/regression.diffs" 2>/dev/null | head -200 ;;
		tap) echo "(TAP logs in $copy/tmp_check/log)" ;;
		esac
		keep_copy=1
		return 1
	}
	regress() { installcheck regress ISOLATION= TAP_TESTS=; }
	isolation() {
		if [ -z "$(runuser -u postgres -- make -s -C "$copy" isolation-specs)" ]; then
			echo "no pg_isolation_regress in this server's PGXS ($(pg_config --version)): isolation specs skipped"
			return 77
		fi
		installcheck isolation REGRESS= TAP_TESTS=
	}
	tap() { installcheck tap REGRESS= ISOLATION=; }

	step build build || { echo "0 passed, 1 failed"; exit 1; }
	step wall_check tests/wall_check.sh
	step unit unit
	as_postgres_copy
	keep_copy=
	step regress regress
	step isolation isolation
	step tap tap
	if [ -n "$keep_copy" ]; then echo "(kept $copy for inspection)"; else rm -rf "$copy"; fi

	echo "== $(pg_config --version): $passed passed, $failed failed, $skipped skipped"
	if [ -z "$this_major_only" ]; then
		step "other majors" tests/versions.sh ${OUTFLOW_MAJORS:-13 17 18 19}
	fi

	echo
	[ ${#failures[@]} -gt 0 ] && echo "failed: ${failures[*]}"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
main "$@"
