#!/bin/bash
# pg_recvlogical consumers of the native format: options over the replication
# protocol, a consumer killed (SIGKILL) and restarted while a writer commits,
# then a large transaction spilled to disk. Afterwards every committed insert
# has arrived exactly once per (commit_lsn, seq), and any duplicate after a
# restart is identical to the first copy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"
make -s -C "$here/tools" >/dev/null
check="$here/tools/stream_check"

cluster_start recv
cluster_psql -c "CREATE TABLE items (id int PRIMARY KEY, payload text, at timestamptz DEFAULT now())"
recv() { as_pg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres --slot s "$@"; }
recv --create-slot -P outflow
out="$CLUSTER_DIR/stream.json"
as_pg touch "$out"

# options without a value (booleans) and with one, over the protocol
start_consumer() {
	# a consumer killed between a change and its newline left a cut line: end it
	[ -z "$(tail -c1 "$out")" ] || as_pg sh -c "echo >> '$out'"
	as_pg_bg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres --slot s \
		--start -f "$out" -F 1 -s 1 -o include-transaction -o actions=insert,update,delete 2>>"$CLUSTER_DIR/recv.log"
	consumer=$BG_PID
}

# Signals the consumer and waits until it is gone.
stop_consumer() {
	kill "-$1" "$consumer" 2>/dev/null || true
	wait "$consumer" 2>/dev/null || true
}

writer() {
	for i in $(seq 1 400); do
		echo "INSERT INTO items (id, payload) VALUES ($i, repeat('p', $i));"
		[ $((i % 50)) -eq 0 ] && echo "UPDATE items SET payload = 'u' WHERE id = $((i - 10));"
	done | cluster_psql
}

start_consumer
writer &
writer_pid=$!
for round in 1 2 3; do
	sleep 0.3
	stop_consumer KILL
	start_consumer
done
wait "$writer_pid"

# a large transaction, spilled to disk (logical_decoding_work_mem = 64kB)
cluster_psql -c "INSERT INTO items (id, payload) SELECT g, md5(g::text) FROM generate_series(1001, 21000) g"

# wait until the consumer has everything (at most 60 s)
for _ in $(seq 1 600); do
	n=$(grep -c '"op":"insert"' "$out" || true)
	[ "$n" -ge 20400 ] && break
	sleep 0.1
done
# the consumer confirms everything it received (at most 30 s)
target=$(cluster_psql -At -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 1 300); do
	[ "$(cluster_psql -At -c "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 's'")" = t ] && break
	sleep 0.1
done
[ "$(cluster_psql -At -c "SELECT confirmed_flush_lsn >= '$target' FROM pg_replication_slots WHERE slot_name = 's'")" = t ] ||
	{ echo "the consumer never confirmed up to $target"; exit 1; }
stop_consumer INT
wait

"$check" "$out" --table items --expect-inserts 20400 --allow-duplicates
# The slot still works through SQL afterwards (once the walsender has let go
# of it); everything was confirmed, so nothing is sent again.
for _ in $(seq 1 100); do
	[ "$(cluster_psql -At -c "SELECT active FROM pg_replication_slots WHERE slot_name = 's'")" = f ] && break
	sleep 0.1
done
cluster_psql -At -c "SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL, 'include-transaction', 'on')" > "$CLUSTER_DIR/again.json"
[ ! -s "$CLUSTER_DIR/again.json" ] || { echo "sent again after full confirmation:"; head -3 "$CLUSTER_DIR/again.json"; exit 1; }
echo "recvlogical: ok"
