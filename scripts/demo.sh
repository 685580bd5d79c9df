#!/bin/bash
# The demo: build and install outflow, start a throwaway cluster, stream a
# few changes through pg_recvlogical as JSON, print them, clean up.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/as_root.sh"
cd "$root"

scripts/install_deps.sh
make -s >/dev/null
make -s install >/dev/null

source tests/lib/cluster.sh
cluster_start demo
echo "== a throwaway cluster on port $PGPORT (wal_level = logical)"

cluster_psql <<'SQL'
CREATE EXTENSION outflow;
CREATE TABLE orders (id bigint PRIMARY KEY, customer text, total numeric(10,2),
                     items jsonb, tags text[], placed_at timestamptz DEFAULT now());
-- the SQL API: a publication without the customer column, and a slot that follows it
SELECT outflow.publish_table('orders_pub', 'orders', columns => '{id,total,items,tags,placed_at}') AS publication;
SELECT outflow.create_slot('orders_sql', 'orders_pub') IS NOT NULL AS slot_created;
SQL
as_pg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
	--slot demo --create-slot -P outflow
out="$CLUSTER_DIR/changes.json"
as_pg touch "$out"
as_pg_bg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres \
	--slot demo --start -f "$out" -F 1 -o include-transaction=true
recv=$BG_PID

cluster_psql <<'SQL'
INSERT INTO orders (id, customer, total, items, tags)
  VALUES (1, 'Zoë "the buyer"', 19.99, '{"sku": "A-1", "qty": 2}', '{new,web}');
BEGIN;
UPDATE orders SET total = 24.50, tags = tags || '{priority}' WHERE id = 1;
INSERT INTO orders (id, customer, total, items) VALUES (2, 'Bob', 5, '[]');
COMMIT;
DELETE FROM orders WHERE id = 2;
SELECT pg_logical_emit_message(false, 'heartbeat', 'tick') IS NOT NULL AS message_sent;
SQL

# wait for the last change (at most 15 s)
for _ in $(seq 1 150); do
	grep -q '"op":"delete"' "$out" 2>/dev/null && sleep 0.2 && break
	sleep 0.1
done
kill "$recv" 2>/dev/null || true
wait "$recv" 2>/dev/null || true
echo "== what pg_recvlogical -P outflow received (one JSON object per line):"
cat "$out"
grep -q '"op":"delete"' "$out" || { echo "demo: the stream did not arrive" >&2; exit 1; }
echo "== the same changes from SQL, through the publication (no customer column):"
cluster_psql -c "SELECT lsn, xid, change FROM outflow.changes('orders_sql')"
cluster_psql -c "SELECT slot_name, plugin, active, lag_bytes, publications FROM outflow.slots ORDER BY 1"
echo "== done; the cluster is removed"
