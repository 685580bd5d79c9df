#!/bin/bash
# wal2json_suite/run.sh DIR [TEST...]: runs wal2json's own regression suite
# (its sql/*.sql, fetched separately: it is not part of this repository)
# against wal2json and against outflow_wal2json, on one throwaway cluster,
# with nothing changed but the plugin name given to
# pg_create_logical_replication_slot. Prints, per test, whether outflow's
# output equals the installed wal2json's byte for byte, and the differing
# lines when it does not. With DIR/expected/TEST.out present, also whether
# each output matches the expected file of the wal2json version it came from.
#   tests/wal2json_suite/run.sh /tmp/wal2json            every DIR/sql/*.sql
#   tests/wal2json_suite/run.sh /tmp/wal2json cmdline    one test
# Results stay in DIR/results/{wal2json,outflow}/ for inspection.
# Not run by tests/run_all.sh (it needs wal2json's files). Ends with
# "N same, M different".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib/cluster.sh"

dir=${1:?usage: $0 DIR [TEST...] with DIR/sql/*.sql of wal2json and optionally DIR/expected/*.out}
dir=$(cd "$dir" && pwd)
shift
if [ ! -f "$(pg_config --pkglibdir)/wal2json.so" ]; then
	echo "wal2json is not installed (package postgresql-$(pg_config --version | sed 's/[^0-9]*\([0-9]*\).*/\1/')-wal2json)"
	exit 1
fi
tests=("$@")
if [ ${#tests[@]} = 0 ]; then
	for f in "$dir"/sql/*.sql; do tests+=("$(basename "$f" .sql)"); done
fi

cluster_start w2jsuite >/dev/null || exit 1
mkdir -p "$dir/results/wal2json" "$dir/results/outflow"
chmod -R a+rwX "$dir/results"
# As pg_regress runs a test: its time zone, date style and messages.
export PGTZ=PST8PDT PGDATESTYLE="Postgres, MDY" LC_MESSAGES=C

# run PLUGIN TEST: runs the test in a fresh UTF8 database with the slot
# plugin replaced, output as pg_regress records it (echoed queries, errors).
run() {
	local plugin=$1 name=$2 db="suite_$1_$2"
	local out="$dir/results/$plugin/$name.out"
	cluster_psql -c "DROP DATABASE IF EXISTS \"$db\"" \
		-c "CREATE DATABASE \"$db\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'" \
		-c "ALTER DATABASE \"$db\" SET lc_messages TO 'C'" || return 1
	sed "s/\(pg_create_logical_replication_slot([^,]*, *\)'wal2json')/\1'$plugin')/" "$dir/sql/$name.sql" |
		as_pg "$PGBIN/psql" -X -a -q -h "$PGHOST" -p "$PGPORT" -U postgres -d "$db" >"$out" 2>&1
	# back to the name the test was written with, so both outputs compare
	sed -i "s/'outflow_wal2json')/'wal2json')/; s/output plugin \"outflow_wal2json\"/output plugin \"wal2json\"/" "$out"
	# a test that stopped half-way leaves its slot behind: drop it
	cluster_psql -At -c "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '$db'" \
		>/dev/null
}

# expected_note OUT NAME: whether OUT equals wal2json's expected file (if given).
expected_note() {
	local exp="$dir/expected/$2.out"
	[ -f "$exp" ] || return 0
	if cmp -s "$exp" "$1"; then echo " [= expected/$2.out]"; else echo " [differs from expected/$2.out]"; fi
}

same=0
different=0
for name in "${tests[@]}"; do
	if [ ! -f "$dir/sql/$name.sql" ]; then
		echo "MISSING $name (no $dir/sql/$name.sql)"
		different=$((different + 1))
		continue
	fi
	run wal2json "$name" && run outflow_wal2json "$name" || { echo "FAIL $name (could not run)"; different=$((different + 1)); continue; }
	mv "$dir/results/outflow_wal2json/$name.out" "$dir/results/outflow/$name.out" 2>/dev/null
	w="$dir/results/wal2json/$name.out"
	o="$dir/results/outflow/$name.out"
	if cmp -s "$w" "$o"; then
		echo "same      $name$(expected_note "$w" "$name")"
		same=$((same + 1))
	else
		echo "DIFFERENT $name (wal2json$(expected_note "$w" "$name"); outflow$(expected_note "$o" "$name"))"
		{ diff "$w" "$o" || true; } | head -"${DIFF_LINES:-40}" | cut -c1-300 | sed 's/^/    /'
		different=$((different + 1))
	fi
done
echo "$same same, $different different"
[ "$different" = 0 ]
