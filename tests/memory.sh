#!/bin/bash
# Memory does not grow with the number of changes decoded.
#
# SQL: the same slot is peeked up to the position after N changes and up to
# the position after 10 N changes, each in a fresh backend, in every format
# and with a publication (row filter, column list). The backend's peak
# resident memory (VmHWM, read from /proc/self/status through pg_read_file)
# after the call may differ by at most BOUND_KB: a leak of 16 bytes per
# change (9 N = 135000 more changes) would exceed it. work_mem is small so
# that the result tuplestore spills instead of growing in memory.
#
# Replication protocol: one pg_recvlogical consumer streams N changes, then
# 9 N more; its walsender's RssAnon (private memory, kept by malloc when
# freed) once caught up may grow by at most BOUND_KB between the two.
#
# The bound is loose on purpose: it is not a benchmark. No timing is asserted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"

N=15000                 # changes in the small read; the large one has 10 N
BOUND_KB=${BOUND_KB:-2048}

cluster_start memory "shared_buffers = 16MB" "wal_sender_timeout = 0"
sql() { cluster_psql -At -c "$1"; }

# Each batch: 500 inserts and 250 updates in one transaction, 750 changes.
write_batches() { # FIRST COUNT
	for b in $(seq "$1" $(($1 + $2 - 1))); do
		echo "BEGIN;
INSERT INTO m SELECT g, md5(g::text), g * 1.5, jsonb_build_object('k', g, 'a', array[g, g]), array[g, g + 1], '2026-01-01'::timestamptz + g * interval '1 s',
    CASE WHEN g % 50 = 0 THEN repeat('t', 3000) END
  FROM generate_series($b * 500 + 1, $b * 500 + 500) g;
UPDATE m SET v = 'u' WHERE id BETWEEN $b * 500 + 1 AND $b * 500 + 250;
COMMIT;"
	done | cluster_psql >/dev/null
}

sql "CREATE TABLE m (id int PRIMARY KEY, v text, n numeric, j jsonb, a int[], t timestamptz, big text);
     ALTER TABLE m ALTER big SET STORAGE EXTERNAL;
     CREATE PUBLICATION mp FOR TABLE m $(sql "SELECT CASE WHEN current_setting('server_version_num')::int >= 150000
       THEN '(id, v, n, j, big) WHERE (id % 3 <> 0)' END")"   # column list and row filter from 15
sql "SELECT pg_create_logical_replication_slot('sql_slot', 'outflow')" >/dev/null
sql "SELECT pg_create_logical_replication_slot('recv_slot', 'outflow')" >/dev/null

# The consumer, by its own pid.
as_pg_bg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres --slot recv_slot --start \
	-f "$CLUSTER_DIR/stream.json" -F 1 -s 1 -o include-transaction=on 2>"$CLUSTER_DIR/recv.log"
recv_pid=$BG_PID

# Waits until the consumer has confirmed everything written so far.
caught_up() {
	local target
	target=$(sql "SELECT pg_current_wal_lsn()")
	for _ in $(seq 1 1200); do
		[ "$(sql "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 'recv_slot'")" = t ] && return 0
		kill -0 "$recv_pid" 2>/dev/null || { echo "pg_recvlogical exited"; cat "$CLUSTER_DIR/recv.log"; exit 1; }
		sleep 0.1
	done
	echo "the consumer did not catch up"; exit 1
}
walsender_kb() { # FIELD: of the walsender's /proc status
	local pid
	pid=$(sql "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'recv_slot'")
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$pid/status"
}

write_batches 0 $((N / 750))
lsn1=$(sql "SELECT pg_current_wal_lsn()")
caught_up
recv1=$(walsender_kb RssAnon)
write_batches $((N / 750)) $((9 * N / 750))
lsn2=$(sql "SELECT pg_current_wal_lsn()")
caught_up
recv2=$(walsender_kb RssAnon)
kill -INT "$recv_pid"; wait "$recv_pid" || true

fail=0
check() { # WHAT KB_SMALL KB_LARGE
	local grow=$(($3 - $2))
	printf '%-48s %8s kB -> %8s kB (%+d kB)\n' "$1" "$2" "$3" "$grow"
	if [ "$grow" -gt "$BOUND_KB" ]; then
		echo "FAIL: $1 grew by $grow kB from N to 10 N changes (bound $BOUND_KB kB)"
		fail=1
	fi
}
check "pg_recvlogical walsender RssAnon" "$recv1" "$recv2"

# peak_kb UPTO_LSN OPTIONS...: a fresh backend peeks up to UPTO_LSN, prints
# its VmHWM and the number of rows.
peak_kb() {
	local upto=$1; shift
	local opts=""
	for o in "$@"; do opts+=", '$o'"; done
	cluster_psql -At -c "SET work_mem = '64kB'" \
		-c "SELECT count(*) FROM pg_logical_slot_peek_changes('sql_slot', '$upto', NULL$opts)" \
		-c "SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+) kB')" | tr '\n' ' '; echo
}
for opts in "" "format-version 1" "format-version 2 include-xids on include-pk on" "publication_names mp" \
	"actions update numeric-data-types-as-string on" "unchanged-toast marker"; do
	# shellcheck disable=SC2086
	read -r rows1 kb1 < <(peak_kb "$lsn1" $opts)
	# shellcheck disable=SC2086
	read -r rows2 kb2 < <(peak_kb "$lsn2" $opts)
	[ "$rows2" -gt "$rows1" ] || { echo "FAIL: the large read ($rows2 rows) is not larger than the small one ($rows1)"; fail=1; }
	check "SQL peek VmHWM (${opts:-native}; $rows1 -> $rows2 rows)" "$kb1" "$kb2"
done
[ "$fail" = 0 ] || exit 1
echo "memory: ok (bound $BOUND_KB kB from $N to $((10 * N)) changes)"
