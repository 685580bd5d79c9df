#!/bin/bash
# Bad input against a server whose log we can read: replays the pg_regress
# files sql/bad_input.sql and sql/option_errors.sql (malformed and unknown
# options, stray escapes, 1 MB values, missing publications, the SQL API with
# NULLs and wrong types, columns of dropped types and extensions) on a fresh
# cluster, the way pg_regress runs them, and checks
#   - the output is the expected one (expected/*.out): each bad input is its
#     ERROR, and the slots still stream their changes afterwards;
#   - the server log shows no crashed or aborted backend (terminated by a
#     signal, PANIC, failed assertion) and no connection lost;
#   - the log holds the ERRORs the files provoke (the replay really ran).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
source "$here/lib/cluster.sh"

cluster_start bad_input "log_min_messages = warning"
cluster_psql -c "CREATE DATABASE contrib_regression" -c "\\c contrib_regression" -c "CREATE EXTENSION outflow"
work="$CLUSTER_DIR/work"
mkdir -p "$work/sql/include"
cp "$root/sql/include/"*.sql "$work/sql/include/"
chown -R postgres: "$work"
fail=0
for t in bad_input option_errors; do
	# as pg_regress runs a file: psql -a -q from stdin, messages in English
	(cd "$work" && PGOPTIONS="-c lc_messages=C" PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY" \
		as_pg "$PGBIN/psql" -X -a -q -h "$PGHOST" -p "$PGPORT" -U postgres -d contrib_regression \
		<"$root/sql/$t.sql" >"$work/$t.out" 2>&1) || true
	# as pg_regress: the expected file or one of its alternatives (name_N.out, by major)
	same=
	for e in "$root/expected/$t.out" "$root/expected/${t}"_[0-9].out; do
		[ -f "$e" ] && diff -q "$e" "$work/$t.out" >/dev/null && { same=1; break; }
	done
	if [ -z "$same" ]; then
		diff -u "$root/expected/$t.out" "$work/$t.out" >"$work/$t.diff"
		echo "FAIL: $t output differs from expected/$t.out and its alternatives:"
		head -60 "$work/$t.diff"
		fail=1
	fi
done
log="$CLUSTER_DIR/server.log"
if grep -E "terminated by signal|was terminated by exception|exited with exit code|PANIC|TRAP:|server process .* was terminated|connection to server was lost" "$log"; then
	echo "FAIL: a backend crashed (server log above)"
	fail=1
fi
errors=$(grep -c "ERROR:" "$log" || true)
[ "$errors" -ge 100 ] || { echo "FAIL: only $errors ERRORs in the server log: the files did not run"; fail=1; }
[ "$fail" = 0 ] || exit 1
echo "bad_input: ok ($errors ERRORs in the server log, no crashed backend)"
