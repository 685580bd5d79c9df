#!/bin/bash
# Crash and restart: a slot read by pg_recvlogical consumers that are killed
# (SIGKILL) while a writer commits, a server stopped in immediate mode in the
# middle of a stream, large transactions spilled to disk
# (logical_decoding_work_mem = 64kB) decoded across restarts, and the slot read
# through SQL and pg_recvlogical alternately.
#
# A second slot "ref", created right after the tested one and read once at the
# end through SQL, is the reference. tests/crash/compare.py then proves: every
# committed change arrived, byte-identical to the reference; nothing came from
# before the slot's confirmed position when a consumer started; duplicates only
# came after that position, with the same (commit_lsn, seq) and content; what a
# consumer confirmed it had received (no change skipped). Every
# file also passes tests/tools/stream_check (nlohmann_json). No timing in the
# assertions: waits poll for a condition (with a 120 s limit).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"
make -s -C "$here/tools" >/dev/null
check="$here/tools/stream_check"

cluster_start crash "logical_decoding_work_mem = 64kB" "wal_sender_timeout = 0"
D=$CLUSTER_DIR
OPTS=(-o include-transaction=on -o add-tables=public.*)
# The consumer is started as a plain command (not through a shell function) so
# that $! is pg_recvlogical itself: setpriv execs it in the forked child. A
# function would run in a subshell, and killing that would leave
# pg_recvlogical running, holding the slot.
RECV=("$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres)
[ "$(id -u)" = 0 ] && RECV=(setpriv --reuid=postgres --regid=postgres --init-groups -- "${RECV[@]}")
sql() { cluster_psql -At -c "$1"; }

# wait_for 'SQL returning t' WHAT
wait_for() {
	for _ in $(seq 1 1200); do
		[ "$(sql "$1" 2>/dev/null || true)" = t ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for: $2"
	exit 1
}

sql "CREATE TABLE items (id int PRIMARY KEY, v text, n numeric, at timestamptz DEFAULT now());
	 CREATE TABLE big (id int PRIMARY KEY, payload text)"
sql "SELECT pg_create_logical_replication_slot('s', 'outflow')" >/dev/null
sql "SELECT pg_create_logical_replication_slot('ref', 'outflow')" >/dev/null

runs=()     # START_LSN:FILE for compare.py, in order
nrun=0
consumer_pid=

confirmed() { sql "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's'"; }
slot_free() { wait_for "SELECT NOT active FROM pg_replication_slots WHERE slot_name = 's'" "slot s released"; }

# start_consumer [extra pg_recvlogical options]: a new consumer writing its own file.
start_consumer() {
	slot_free
	nrun=$((nrun + 1))
	local f="$D/run$nrun.recv.json"
	as_pg touch "$f"
	runs+=("$(confirmed):$f")
	"${RECV[@]}" --slot s --start -f "$f" -F 1 -s 1 "${OPTS[@]}" "$@" 2>>"$D/recv.log" &
	consumer_pid=$!
	# make sure $! is the consumer itself (once the child has exec'ed)
	local comm=
	for _ in $(seq 1 100); do
		comm=$(cat "/proc/$consumer_pid/comm" 2>/dev/null || echo exited)
		case $comm in bash|setpriv) sleep 0.02 ;; *) break ;; esac
	done
	case $comm in pg_recvlogical|exited) ;; *) echo "consumer pid $consumer_pid is $comm, not pg_recvlogical"; exit 1 ;; esac
	CONSUMER_FILE=$f
}
kill_consumer() { kill "-$1" "$consumer_pid" 2>/dev/null || true; wait "$consumer_pid" 2>/dev/null || true; }

# sql_read: one read of slot s through SQL, into its own file.
sql_read() {
	slot_free
	nrun=$((nrun + 1))
	local f="$D/run$nrun.sql.json"
	runs+=("$(confirmed):$f")
	sql "SELECT data FROM pg_logical_slot_get_changes('s', NULL, ${1:-NULL}, 'include-transaction', 'on', 'add-tables', 'public.*')" >"$f"
	SQL_FILE=$f
}

# Stops the running consumer only once it has confirmed everything committed so
# far: a marker transaction, its commit object in the file, then the slot's
# confirmed_flush_lsn at or past that commit's end_lsn.
drain_and_stop() {
	local xid end
	xid=$(sql "SELECT txid_current() % 4294967296 FROM (SELECT pg_logical_emit_message(true, 'drain', '')) m")
	for _ in $(seq 1 1200); do
		end=$(grep -F "{\"op\":\"commit\"" "$CONSUMER_FILE" | grep -F "\"xid\":$xid," | sed 's/.*"end_lsn":"\([0-9A-F/]*\)".*/\1/' || true)
		[ -n "$end" ] && break
		sleep 0.1
	done
	[ -n "$end" ] || { echo "the consumer never received transaction $xid"; exit 1; }
	wait_for "SELECT confirmed_flush_lsn >= '$end' FROM pg_replication_slots WHERE slot_name = 's'" "confirmation of $end"
	kill_consumer INT
}

# writer FIRST COUNT: COUNT small transactions (insert, update, delete) and, every
# 150, a large one (2000 rows, spilled to disk at 64kB), through one psql session.
writer_sql() {
	local first=$1 count=$2
	for i in $(seq "$first" $((first + count - 1))); do
		echo "BEGIN; INSERT INTO items (id, v, n) VALUES ($i, repeat('é', $i % 50), $i.5);"
		echo "UPDATE items SET v = 'u$i', n = n * 2 WHERE id = $((i - 3));"
		echo "DELETE FROM items WHERE id = $((i - 7)) AND $i % 2 = 0; COMMIT;"
		# paced, so that consumers are killed in the middle of the stream
		if [ $((i % 10)) -eq 0 ] && [ -n "${PACE:-}" ]; then echo "SELECT pg_sleep($PACE);"; fi
		if [ $((i % 150)) -eq 0 ]; then
			echo "INSERT INTO big SELECT g, md5(g::text) || repeat('x', 100) FROM generate_series($i * 10000, $i * 10000 + 1999) g;"
		fi
	done
}

echo "--- consumers killed with SIGKILL while a writer commits"
PACE=0.04 writer_sql 1 1500 >"$D/writer1.sql"
start_consumer
cluster_psql -f "$D/writer1.sql" >/dev/null &
writer_pid=$!
# Each consumer is killed once it has confirmed something (its position moved
# past where it started), so that the next one starts from a later position
# and may receive again what was written but not confirmed. Once the writer
# is done the consumer is killed without waiting.
advanced=0
for round in 1 2 3 4 5; do
	from=$(confirmed)
	for _ in $(seq 1 1200); do
		[ "$(confirmed)" != "$from" ] && { advanced=$((advanced + 1)); break; }
		kill -0 "$writer_pid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.$((RANDOM % 5))   # anywhere in the next feedback interval
	kill_consumer KILL
	echo "killed consumer $round (started at $from, slot now at $(confirmed))"
	start_consumer
done
wait "$writer_pid"
[ "$advanced" -ge 2 ] || { echo "only $advanced consumers confirmed anything before being killed"; exit 1; }

echo "--- a large transaction spilled to disk, then the server stopped in immediate mode mid-stream"
kill_consumer KILL
sql "INSERT INTO big SELECT g, md5(g::text) || repeat('y', 200) FROM generate_series(1, 30000) g"
PACE=0.02 writer_sql 1501 400 >"$D/writer2.sql"
start_consumer --no-loop
cluster_psql -f "$D/writer2.sql" >/dev/null 2>&1 &
writer_pid=$!
# stop while the consumer is in the middle of the large transaction
for _ in $(seq 1 1200); do grep -q 'yyyyyyyyyy' "$CONSUMER_FILE" && break; sleep 0.05; done
grep -q 'yyyyyyyyyy' "$CONSUMER_FILE" || { echo "the consumer never reached the large transaction"; exit 1; }
before_stop=$(confirmed)
as_pg "$PGBIN/pg_ctl" -D "$D/data" -m immediate stop >/dev/null
wait "$writer_pid" || true
wait "$consumer_pid" || true
echo "the consumer had $(grep -c yyyyyyyyyy "$CONSUMER_FILE") of the 30000 rows of the large transaction when the server stopped"
as_pg "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w start >/dev/null
# PostgreSQL keeps confirmed_flush_lsn in memory between slot saves: after a
# crash the slot may restart from an earlier position (changes are sent
# again), never from a later one (changes would be lost)
after_restart=$(confirmed)
echo "the slot was at $before_stop before the stop, at $after_restart after the restart"
[ "$(sql "SELECT '$after_restart'::pg_lsn <= '$before_stop'::pg_lsn")" = t ] ||
	{ echo "the slot moved past its confirmed position across the crash"; exit 1; }
start_consumer
writer_sql 1901 300 | cluster_psql >/dev/null
drain_and_stop

echo "--- the slot read through SQL and pg_recvlogical alternately"
for round in 1 2 3; do
	base=$((3000 + round * 1000))
	writer_sql $base 100 | cluster_psql >/dev/null
	sql_read
	[ -s "$SQL_FILE" ] || { echo "SQL read $round got nothing"; exit 1; }
	writer_sql $((base + 100)) 50 | cluster_psql >/dev/null
	sql_read 5 # upto_nchanges: stops after the transaction that reaches 5 changes
	start_consumer
	writer_sql $((base + 200)) 30 | cluster_psql >/dev/null
	drain_and_stop
	# everything was confirmed: SQL must not send any of it again
	sql_read
	if grep -q . "$SQL_FILE"; then
		echo "SQL re-sent what pg_recvlogical had confirmed:"; head -3 "$SQL_FILE"; exit 1
	fi
done

echo "--- reference and comparison"
slot_free
sql "SELECT data FROM pg_logical_slot_get_changes('ref', NULL, NULL, 'include-transaction', 'on', 'add-tables', 'public.*')" >"$D/ref.json"
"$check" "$D/ref.json"
spilled=$(sql "SELECT spill_txns FROM pg_stat_replication_slots WHERE slot_name = 'ref'")
for r in "${runs[@]}"; do
	f=${r#*:}
	# a line cut by SIGKILL is not checked (compare.py ignores it too)
	if [ -s "$f" ] && [ "$(tail -c1 "$f")" != "" ]; then head -n -1 "$f" >"$f.whole"; else cp "$f" "$f.whole"; fi
	"$check" "$f.whole" >/dev/null || { echo "stream_check failed on $f"; "$check" "$f.whole"; exit 1; }
done
python3 "$here/crash/compare.py" "$D/ref.json" "${runs[@]}"
[ "$spilled" -gt 0 ] || { echo "no transaction was spilled to disk"; exit 1; }
if grep -q "terminated by signal" "$D/server.log"; then
	grep "terminated by signal" "$D/server.log"; exit 1
fi
echo "crash_restart: ok ($nrun consumers, spilled transactions: $spilled)"
