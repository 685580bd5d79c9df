#!/bin/bash
# On demand (not in CI): pg_regress suites with every backend under valgrind's
# memcheck, to find invalid reads and writes, and uses of uninitialised
# values, in outflow.so.
#
#   sudo tests/valgrind/run.sh                      # the default suites (below), then the
#                                                   # wal2json_diff workload decoded with many options
#   sudo tests/valgrind/run.sh native_basic toast   # chosen suites
#   sudo tests/valgrind/run.sh --all                # every suite in sql/
#   sudo tests/valgrind/run.sh --selftest           # proves it finds an error: a library named
#                                                   # outflow.so (probe.c) reads past a buffer
#
# The postmaster runs under valgrind; backends are forked from it and stay
# under valgrind (one log per process: vg.<pid>.log). Debian's server is not
# built with USE_VALGRIND, so memcheck does not see inside PostgreSQL's memory
# contexts (palloc'd chunks share malloc'd blocks); it does see everything
# outflow allocates through C++ (new, std::string, std::vector: malloc), reads
# and writes outside any malloc'd block, large palloc chunks (their own
# block) and uses of uninitialised memory.
#
# Reports whose stack has a frame in outflow (outflow.so, outflow_wal2json.so) are
# outflow's: each is printed with its stack and the script exits 1. Other
# reports are PostgreSQL's own, known under valgrind without its suppression
# file (e.g. uninitialised padding bytes written to WAL): they are counted
# and kept in the logs, not printed. The pg_regress result is reported too
# (a suite that differs under valgrind is worth a look, but is not a
# memory error). Logs stay in the printed directory.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
source "$root/tests/lib/cluster.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 2; }

suites=(wal2json_basic wal2json_options native_basic publication_row_filters)
selftest=
if [ "${1:-}" = --selftest ]; then
	selftest=1
	suites=(native_basic)
elif [ "${1:-}" = --all ]; then
	# the Makefile's list: the suites that apply to this server's major
	mapfile -t suites < <(make -s --no-print-directory -C "$root" regress-suites | tr ' ' '\n' | grep .)
elif [ $# -gt 0 ]; then
	suites=("$@")
fi

# The cluster is made and configured by cluster_start, then restarted with the
# postmaster under valgrind. Logs are kept (KEEP_CLUSTERS) for inspection.
export KEEP_CLUSTERS=1
cluster_start valgrind "jit = off" "shared_buffers = 16MB" "max_connections = 20" \
	"wal_sender_timeout = 0" "statement_timeout = 0" "log_min_messages = warning"
D=$CLUSTER_DIR
as_pg "$PGBIN/pg_ctl" -D "$D/data" -m fast -w stop >/dev/null
mkdir -p "$D/vg"
chown postgres: "$D/vg"
supp="$here/postgres.supp"
as_pg valgrind --tool=memcheck --trace-children=yes --leak-check=no --track-origins=yes \
	--num-callers=40 --error-limit=no --fullpath-after= --read-var-info=no --suppressions="$supp" \
	--log-file="$D/vg/vg.%p.log" \
	"$PGBIN/postgres" -D "$D/data" >"$D/server.log" 2>&1 &
for _ in $(seq 1 600); do
	as_pg "$PGBIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" && break
	sleep 0.5
done
as_pg "$PGBIN/pg_isready" -q -h "$PGHOST" -p "$PGPORT" || { echo "the server under valgrind did not start"; tail "$D/server.log"; exit 2; }
echo "server under valgrind on port $PGPORT; logs in $D/vg"

# pg_regress as postgres, on a copy of the tree that postgres owns, against
# this server
tree="$D/tree"
rsync -a --exclude .git --exclude 'tmp_check' --exclude results "$root/" "$tree/"
chown -R postgres: "$tree"
start=$(date +%s)
(cd "$tree" && as_pg "$(dirname "$(pg_config --pgxs)")/../test/regress/pg_regress" \
	--inputdir=. --bindir="$PGBIN" --host="$PGHOST" --port="$PGPORT" \
	--load-extension=outflow --dbname=contrib_regression "${suites[@]}")
regress_rc=$?
echo "pg_regress took $(( $(date +%s) - start )) s under valgrind (exit $regress_rc)"
[ "$regress_rc" = 0 ] || { echo "(differences in $tree/regression.diffs)"; head -100 "$tree/regression.diffs"; }

# The workload of tests/tap/t/015_wal2json_diff.pl (every column type, TOAST, replica
# identities, truncate, messages, origins), decoded under valgrind in every
# format with the option sets that test compares, and in several sessions'
# settings. Run with the default suites only.
if [ -z "$selftest" ] && [ "${1:-}" != --all ] && [ $# -eq 0 ]; then
	cluster_psql -c "CREATE DATABASE vg_workload"
	wl() { as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d vg_workload "$@"; }
	wl -At -c "SELECT 'x' FROM pg_create_logical_replication_slot('vg_w2j', 'outflow_wal2json')" \
		-c "SELECT 'x' FROM pg_create_logical_replication_slot('vg_native', 'outflow')" >/dev/null
	wl -f "$root/tests/wal2json_diff/workload.sql" >"$D/workload.log" 2>&1 || { echo "workload failed:"; tail "$D/workload.log"; }
	# and a mixed one like the benchmark's: one 5000-row insert transaction
	# (a large format-1 document, spilled at 64kB), 500-row update
	# transactions, a bulk delete
	wl >>"$D/workload.log" 2>&1 <<'SQL' || { echo "mixed workload failed:"; tail "$D/workload.log"; }
CREATE TABLE vg_mixed (id bigint PRIMARY KEY, i int, t text, n numeric, f float8, b bool, ts timestamptz,
	u uuid, arr text[], j jsonb, v varchar(64));
INSERT INTO vg_mixed SELECT g, g * 7 % 1000, 'text ' || g || ' "quoted" \ back', (g * 1.25)::numeric(12,2), g / 3.0,
	g % 2 = 0, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second', md5(g::text)::uuid,
	ARRAY['a' || g, 'b', 'c d'], jsonb_build_object('id', g, 'tag', 'x' || g % 10, 'f', g / 7.0), 'varchar ' || g
	FROM generate_series(1, 5000) g;
DO $$
DECLARE lo int := 1;
BEGIN
	WHILE lo <= 2500 LOOP
		UPDATE vg_mixed SET i = i + 1, f = f * 2, t = t || '!' WHERE id BETWEEN lo AND lo + 499;
		COMMIT;
		lo := lo + 500;
	END LOOP;
END $$;
DELETE FROM vg_mixed WHERE id <= 500;
SQL
	meta="'include-type-oids', '1', 'include-column-positions', '1', 'include-not-null', '1', 'include-default', '1', 'include-xids', '1', 'include-timestamp', '1', 'include-lsn', '1', 'include-origin', '1'"
	n=0
	for settings in "SET TimeZone = 'UTC'" "SET TimeZone = 'America/St_Johns'; SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0; SET IntervalStyle = 'postgres_verbose'" \
		"SET TimeZone = 'Asia/Kathmandu'; SET DateStyle = 'German'; SET extra_float_digits = 3; SET IntervalStyle = 'iso_8601'; SET bytea_output = 'escape'"; do
		for opts in "'format-version', '1'" "'format-version', '2'" "'format-version', '1', 'pretty-print', '1', $meta, 'include-pk', '1'" \
			"'format-version', '1', 'write-in-chunks', '1', $meta" "'format-version', '2', $meta, 'include-pk', '1', 'include-domain-data-type', '1'" \
			"'format-version', '2', 'include-types', '0', 'include-typmod', '0', 'include-schemas', '0', 'numeric-data-types-as-string', '1'" \
			"'format-version', '2', 'actions', 'update,truncate', 'filter-tables', '*.t_types', 'add-msg-prefixes', 'tx'" \
			"'format', 'native'" "'format', 'native', 'include-transaction', '1', 'include-empty-transactions', '1', 'unchanged-toast', 'marker'" \
			"'format', 'native', 'numeric-data-types-as-string', '1', 'filter-origins', '1', 'origin', 'none'"; do
			wl -At -c "$settings" -c "SELECT count(*) FROM pg_logical_slot_peek_changes('vg_w2j', NULL, NULL, $opts)" >/dev/null 2>>"$D/workload.log" ||
				echo "workload decoding failed ($opts): $(tail -1 "$D/workload.log")"
			n=$((n + 1))
		done
	done
	wl -At -c "SELECT count(*) FROM pg_logical_slot_get_changes('vg_native', NULL, NULL, 'include-transaction', '1')" >/dev/null
	wl -At -c "SELECT pg_drop_replication_slot('vg_w2j')" -c "SELECT pg_drop_replication_slot('vg_native')" >/dev/null
	echo "workload decoded $n times under valgrind"
fi

if [ -n "$selftest" ]; then
	mkdir -p "$D/probe"
	gcc -shared -fPIC -g -O0 -isystem "$(pg_config --includedir-server)" -o "$D/probe/outflow.so" "$here/probe.c"
	chmod -R a+rX "$D/probe"
	cluster_psql -c "CREATE FUNCTION pg_temp.probe() RETURNS int AS '$D/probe/outflow.so', 'outflow_valgrind_probe' LANGUAGE C" \
		-c "SELECT pg_temp.probe()" >/dev/null
fi

as_pg "$PGBIN/pg_ctl" -D "$D/data" -m fast -w -t 300 stop >/dev/null
grep -E "terminated by signal|was terminated|PANIC|TRAP:" "$D/server.log" && echo "(a backend crashed: see $D/server.log)"

# Split the logs into reports (a report ends at an empty "==pid==" line) and
# keep those with an outflow frame.
python3 - "$D/vg" <<'PY'
import glob, re, sys
ours, others, procs = [], 0, 0
for path in sorted(glob.glob(sys.argv[1] + "/vg.*.log")):
    procs += 1
    text = open(path, errors="replace").read()
    for block in re.split(r"\n==\d+== ?\n", text):
        lines = [l for l in block.split("\n") if l.startswith("==")]
        if not lines:
            continue
        head = re.sub(r"^==\d+== ", "", lines[0])
        if not re.match(r"(Invalid|Conditional jump|Use of uninitialised|Syscall param|Source and destination|Mismatched|Argument|Jump to)", head):
            continue
        # a frame in outflow: its function (outflow::..., outflow_...), its
        # source file (full paths: --fullpath-after=) or its library
        if re.search(r"^==\d+==\s+(at|by) 0x[0-9A-F]+: .*(outflow|/decoder/|/extension/)", block, re.M):
            ours.append((path, "\n".join(re.sub(r"^==\d+== ", "", l) for l in lines)))
        else:
            others += 1
print("valgrind: %d processes, %d reports in outflow, %d reports elsewhere (PostgreSQL; not printed)" % (procs, len(ours), others))
for path, rep in ours:
    print("---- " + path)
    print(rep)
sys.exit(1 if ours else 0)
PY
vg_rc=$?
echo "logs: $D/vg, server log: $D/server.log"
if [ -n "$selftest" ]; then
	[ "$vg_rc" = 1 ] && grep -q outflow_valgrind_probe "$D"/vg/vg.*.log &&
		{ echo "selftest: ok (the probe's invalid read was found)"; exit 0; }
	echo "selftest: FAILED (the probe's invalid read was not reported)"; exit 1
fi
[ "$vg_rc" = 0 ] || exit 1
exit 0
