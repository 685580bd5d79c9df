#!/bin/bash
# publication_names over the replication protocol, with a live consumer: a
# pg_recvlogical session follows the publication while a writer changes rows
# and alters the publication (ADD/DROP/SET TABLE, filters, column lists,
# publish actions). The walsender keeps its caches across all of it, so this
# checks that invalidation reaches them at the right points: the live stream
# must equal what an SQL read of a second slot (created at the same point)
# gives for the same option, and the unpublished column never appears.
# Before PostgreSQL 15 (no column lists or row filters) the same run without
# them: whole rows of every row, and other counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"

cluster_start pubstream
if [ "$(cluster_psql -At -c "SELECT current_setting('server_version_num')::int >= 150000")" = t ]; then
	lists=1 b_cols="(id)" a_cols="(id, n) WHERE (id % 2 = 0)"
else
	lists=0 b_cols="" a_cols=""
fi
cluster_psql <<SQL
CREATE TABLE ps_a (id int PRIMARY KEY, n int, secret text);
CREATE TABLE ps_b (id int PRIMARY KEY, secret text);
CREATE TABLE ps_done (id int PRIMARY KEY);
CREATE PUBLICATION ps FOR TABLE ps_b $b_cols, ps_done;
SQL
recv() { as_pg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres "$@"; }
recv --slot live --create-slot -P outflow
cluster_psql -c "SELECT 'init' FROM pg_create_logical_replication_slot('sql', 'outflow')" >/dev/null
out="$CLUSTER_DIR/live.json"
as_pg touch "$out"
as_pg_bg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
	--slot live --start -f "$out" -F 1 -o publication_names=ps 2>>"$CLUSTER_DIR/recv.log"
consumer=$BG_PID

# the writer: rows and publication changes interleaved, some in one transaction
for round in $(seq 1 20); do
	base=$((round * 100))
	cat <<SQL
INSERT INTO ps_a VALUES ($base, $round, 'secret'), ($base + 1, $round, 'secret');
INSERT INTO ps_b VALUES ($base, 'secret');
ALTER PUBLICATION ps ADD TABLE ps_a $a_cols;
UPDATE ps_a SET n = n + 1 WHERE id IN ($base, $base + 1);
BEGIN;
INSERT INTO ps_a VALUES ($base + 2, $round, 'secret');
ALTER PUBLICATION ps SET (publish = 'insert');
UPDATE ps_a SET n = n + 1000 WHERE id = $base + 2;
INSERT INTO ps_a VALUES ($base + 4, $round, 'secret'), ($base + 5, $round, 'secret');
COMMIT;
ALTER PUBLICATION ps SET (publish = 'insert, update, delete, truncate');
ALTER PUBLICATION ps DROP TABLE ps_a;
DELETE FROM ps_a WHERE id = $base + 4;
DELETE FROM ps_b WHERE id = $base;
SQL
done | cluster_psql
cluster_psql -c "INSERT INTO ps_done VALUES (1)"

# wait for the last row (at most 60 s), then for the consumer's confirmation
for _ in $(seq 1 600); do
	grep -q '"table":"ps_done"' "$out" && break
	sleep 0.1
done
grep -q '"table":"ps_done"' "$out" || { echo "the live consumer never got the last row"; cat "$CLUSTER_DIR/recv.log"; exit 1; }
kill -INT "$consumer"
wait "$consumer" || true

cluster_psql -At -c "SELECT data FROM pg_logical_slot_get_changes('sql', NULL, NULL, 'publication_names', 'ps')" \
	> "$CLUSTER_DIR/sql.json"
live_n=$(wc -l < "$out")
sql_n=$(wc -l < "$CLUSTER_DIR/sql.json")
diff "$out" "$CLUSTER_DIR/sql.json" >"$CLUSTER_DIR/diff" ||
	{ echo "live stream ($live_n lines) differs from the SQL read ($sql_n lines):"; head -20 "$CLUSTER_DIR/diff"; exit 1; }
count() { grep -c "\"op\":\"$1\",\"schema\":\"public\",\"table\":\"$2\"" "$out" || true; }
if [ $lists = 1 ]; then
	if grep -q secret "$out"; then echo "an unpublished column leaked"; grep secret "$out" | head -3; exit 1; fi
	# per round: ps_b insert and delete; ps_a (even ids, while in the publication):
	# the update of base, the inserts of base+2 and base+4 (not the update between)
	wants=("insert ps_b 20" "delete ps_b 20" "insert ps_a 40" "update ps_a 20" "delete ps_a 0" "insert ps_done 1")
	total=101
else
	# whole rows; ps_a while in the publication: the updates of base and
	# base+1, the inserts of base+2, base+4 and base+5 (not the update between)
	[ "$(grep -c secret "$out" || true)" -eq 120 ] || { echo "expected whole rows (secret in the 120 inserts and updates)"; exit 1; }
	wants=("insert ps_b 20" "delete ps_b 20" "insert ps_a 60" "update ps_a 40" "delete ps_a 0" "insert ps_done 1")
	total=141
fi
for want in "${wants[@]}"; do
	set -- $want
	[ "$(count "$1" "$2")" -eq "$3" ] || { echo "expected $3 $1 of $2, got $(count "$1" "$2")"; exit 1; }
done
[ "$live_n" -eq "$total" ] || { echo "expected $total changes, got $live_n"; exit 1; }
echo "publication_stream: ok ($live_n changes, live equals SQL, no leak)"
