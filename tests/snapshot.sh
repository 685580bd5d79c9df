#!/bin/bash
# The consistent initial copy (README "SQL API"): a slot created over a
# replication connection exports a snapshot; while that connection stays
# open, another session imports the snapshot and reads outflow.snapshot();
# then the slot's stream is read. Snapshot + stream must rebuild the table
# exactly: rows written before the slot only in the snapshot, rows written
# after it only in the stream, a left-out column nowhere.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"

cluster_start snap
work=$CLUSTER_DIR
cluster_psql <<'SQL'
CREATE EXTENSION outflow;
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(12,2), opened timestamptz, secret text);
CREATE TABLE events (id bigint PRIMARY KEY, account int, payload jsonb);
INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, '2026-01-01 00:00+00'::timestamptz + g * interval '1 hour', 'pin' || g
FROM generate_series(1, 500) g;
INSERT INTO events SELECT g, g % 500 + 1, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)) FROM generate_series(1, 300) g;
SQL
# Column lists and row filters exist from PostgreSQL 15: before, every
# column and row is published (and the checks below expect that).
lists=$(cluster_psql -At -c "SELECT current_setting('server_version_num')::int >= 150000")
if [ "$lists" = t ]; then
	cluster_psql -c "SELECT outflow.publish_table('copy', 'accounts', '{id,owner,balance,opened}')" \
		-c "SELECT outflow.publish_table('copy', 'events', row_filter => 'id % 2 = 0')"
else
	cluster_psql -c "SELECT outflow.publish_table('copy', 'accounts')" -c "SELECT outflow.publish_table('copy', 'events')"
fi

# The replication connection, kept open in a coprocess: the exported
# snapshot lives until its next command.
coproc REPL { as_pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 \
	"host=$PGHOST port=$PGPORT user=postgres dbname=postgres replication=database" 2>&1; }
repl_pid=$REPL_PID   # bash unsets REPL_PID as soon as the coprocess has ended
# (the option list in parentheses is 15's syntax; before: EXPORT_SNAPSHOT)
if [ "$lists" = t ]; then
	echo "CREATE_REPLICATION_SLOT copy_slot LOGICAL outflow (SNAPSHOT 'export');" >&"${REPL[1]}"
else
	echo "CREATE_REPLICATION_SLOT copy_slot LOGICAL outflow EXPORT_SNAPSHOT;" >&"${REPL[1]}"
fi
IFS='|' read -r slot lsn snapshot plugin <&"${REPL[0]}"
echo "slot $slot at $lsn, snapshot $snapshot, plugin $plugin"
[ "$slot" = copy_slot ] && [ -n "$snapshot" ] && [ "$plugin" = outflow ] || { echo "CREATE_REPLICATION_SLOT failed"; exit 1; }

# Changes after the slot's start: only in the stream.
cluster_psql <<'SQL'
INSERT INTO accounts SELECT g, 'late ' || g, g, now(), 'pin' FROM generate_series(501, 600) g;
UPDATE accounts SET balance = balance + 100 WHERE id % 7 = 0;
UPDATE accounts SET id = id + 1000 WHERE id BETWEEN 10 AND 19;
DELETE FROM accounts WHERE id % 11 = 0;
INSERT INTO events SELECT g, 1, '{"late": true}' FROM generate_series(301, 340) g;
UPDATE events SET payload = payload || '{"seen": true}' WHERE id <= 20;
DELETE FROM events WHERE id BETWEEN 100 AND 120;
BEGIN; INSERT INTO accounts VALUES (9999, 'rolled back', 0, now(), 'x'); ROLLBACK;
SQL

# The initial copy, as of the slot's start.
cluster_psql -At > "$work/snapshot.json" <<SQL
BEGIN ISOLATION LEVEL REPEATABLE READ;
SET TRANSACTION SNAPSHOT '$snapshot';
SELECT s FROM outflow.snapshot('copy') s;
COMMIT;
SQL
# Close the replication connection; the slot stays.
exec {REPL[1]}>&-
wait "$repl_pid" 2>/dev/null || true

cluster_psql -At -c "SELECT change FROM outflow.changes('copy_slot', options => '{\"publication_names\": \"copy\"}')" > "$work/stream.json"
cluster_psql -At -c "SELECT s FROM outflow.snapshot('copy') s" > "$work/now.json"
echo "snapshot: $(wc -l < "$work/snapshot.json") rows, stream: $(wc -l < "$work/stream.json") changes, table now: $(wc -l < "$work/now.json") rows"

python3 - "$work/snapshot.json" "$work/stream.json" "$work/now.json" "$lists" <<'PY'
import json, sys
snap = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
stream = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
now = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
lists = sys.argv[4] == "t"   # column list on accounts, row filter on events
def k(c):
    return (c["schema"], c["table"], json.dumps(c["key"], sort_keys=True))
fail = []
# the snapshot is the state before the slot: 500 accounts, the 150 even events (all 300 without filters)
counts = {}
for r in snap:
    counts[r["table"]] = counts.get(r["table"], 0) + 1
    if r["op"] != "read": fail.append("op not read: %r" % r)
if counts != {"accounts": 500, "events": 150 if lists else 300}: fail.append("snapshot counts %r" % counts)
if any(r["new"].get("owner", "").startswith("late") for r in snap if r["table"] == "accounts"):
    fail.append("a row written after the slot is in the snapshot")
rows = {k(r): r["new"] for r in snap}
for c in stream:
    op = c["op"]
    if op == "insert":
        if k(c) in rows: fail.append("insert of a row already there: %r" % c)
        rows[k(c)] = c["new"]
    elif op == "update":
        # "key" is the old row's identity; the new identity is in "new"
        if k(c) not in rows: fail.append("update of a missing row: %r" % c)
        rows.pop(k(c), None)
        moved = dict(c, key={col: c["new"][col] for col in c["key"]})
        rows[k(moved)] = c["new"]
    elif op == "delete":
        if k(c) not in rows: fail.append("delete of a missing row: %r" % c)
        rows.pop(k(c), None)
    else:
        fail.append("unexpected change %r" % c)
want = {k(r): r["new"] for r in now}
if rows != want:
    missing = set(want) - set(rows); extra = set(rows) - set(want)
    diff = [x for x in want if x in rows and rows[x] != want[x]]
    fail.append("rebuilt table differs: %d missing, %d extra, %d different, e.g. %r" %
                (len(missing), len(extra), len(diff), (list(missing) + list(extra) + diff)[:3]))
for line in open(sys.argv[1]).read() + open(sys.argv[2]).read(), :
    if lists and ("secret" in line or '"pin' in line): fail.append("the left-out column leaked")
    if not lists and '"secret"' not in line: fail.append("the secret column is missing without a column list")
if fail:
    print("\n".join(fail[:20])); sys.exit(1)
print("snapshot + stream = table: %d rows" % len(rows))
PY
cluster_psql -c "SELECT outflow.drop_slot('copy_slot')"
echo "snapshot: ok"
