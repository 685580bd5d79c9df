#!/bin/bash
# One large value must not block a slot (issue 12, part 4).
#
# 200 MB of chr(1) is 1.2 GB of JSON (each byte escaped to \u0001): past the
# 1 GB PostgreSQL can send as one output row. Before, every read of the slot
# failed at that change ("Cannot enlarge string buffer") for ever. Now the
# value is left out and named in "oversized", a WARNING in the server log
# names table, key and column, and the changes after it arrive. 150 MB of
# 'a' (150 MB of JSON) is sent whole. Both through SQL and pg_recvlogical;
# the peak memory (VmHWM) of the decoding backend and of the walsender
# stays under BOUND_MB. The wal2json formats keep wal2json's ERROR unless
# max-value-bytes is given, with a HINT that names the option, table and
# column. A 200 MB logical message has its content left out the same way.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"

BIG=$((200 * 1024 * 1024))  # chr(1): 6 bytes of JSON each
FIT=$((150 * 1024 * 1024))  # 'a': 1 byte of JSON each
BOUND_MB=${BOUND_MB:-700}

cluster_start oversized "wal_sender_timeout = 0" "logical_decoding_work_mem = 64MB"
sql() { cluster_psql -At -c "$1"; }
fail=0
check() { # WHAT EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		echo "ok: $1"
	else
		echo "FAIL: $1: expected [$2], got [$3]"
		fail=1
	fi
}

sql "CREATE TABLE big (id int PRIMARY KEY, v text)"
sql "SELECT pg_create_logical_replication_slot('sql_slot', 'outflow')" >/dev/null
sql "SELECT pg_create_logical_replication_slot('recv_slot', 'outflow')" >/dev/null
sql "INSERT INTO big VALUES (1, repeat(chr(1), $BIG))"
sql "INSERT INTO big VALUES (2, 'after')"
lsn_big=$(sql "SELECT pg_current_wal_lsn()")
sql "INSERT INTO big VALUES (3, repeat('a', $FIT))"
sql "INSERT INTO big VALUES (4, 'last')"
lsn_end=$(sql "SELECT pg_current_wal_lsn()")

# --- SQL: the 200 MB change alone, in a fresh backend, with its peak memory
out=$(cluster_psql -At -F ' ' \
	-c "SELECT (data::json->'key'->>'id'), coalesce(data::json->>'oversized', '-'), (data::jsonb->'new' ? 'v')::text, length(data)
	      FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL)" \
	-c "SELECT 'peak ' || substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+) kB')" 2>"$CLUSTER_DIR/peek.err")
echo "$out"
check "SQL: 200 MB of chr(1) left out, named in oversized; the next change arrives" \
	"$(printf '1 ["v"] false\n2 - true')" "$(echo "$out" | grep -v '^peak' | cut -d' ' -f1-3)"
peak_kb=$(echo "$out" | sed -n 's/^peak //p')
echo "SQL backend peak: $((peak_kb / 1024)) MB (bound $BOUND_MB MB)"
[ "$peak_kb" -lt $((BOUND_MB * 1024)) ] || { echo "FAIL: SQL backend peak over $BOUND_MB MB"; fail=1; }
grep -q 'left out the value of column "v" of table "public"."big" with key {"id":1}' "$CLUSTER_DIR/peek.err" ||
	{ echo "FAIL: no WARNING to the SQL client"; cat "$CLUSTER_DIR/peek.err"; fail=1; }

# --- SQL: everything, the 150 MB value sent whole
out=$(sql "SELECT (data::json->'key'->>'id') || ' ' || coalesce(data::json->>'oversized', '-') || ' ' ||
              CASE WHEN length(data) < 1000 THEN coalesce(data::json->'new'->>'v', '(none)')
                   ELSE (substr(data, strpos(data, '\"v\":\"') + 5, $FIT) = repeat('a', $FIT)
                         AND length(data) = strpos(data, '\"v\":\"') + $FIT + 7)::text END
           FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL)" 2>/dev/null)
check "SQL: 150 MB of 'a' sent whole, the changes around it arrive" \
	"$(printf '1 ["v"] (none)\n2 - after\n3 - true\n4 - last')" "$out"

# --- wal2json formats: an ERROR naming the option, table and column; with the option, left out
err=$(sql "SELECT count(*) FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL, 'format-version', '2')" 2>&1 || true)
echo "$err" | grep -q 'ERROR:  outflow: the value of column "v" of table "public"."big" with key {"id":1} is too large to send' &&
	echo "$err" | grep -q 'HINT:  Set option max-value-bytes .* column "v" of table "public"."big"' &&
	echo "ok: wal2json format 2 without max-value-bytes: ERROR with the hint" ||
	{ echo "FAIL: wal2json format 2 without max-value-bytes:"; echo "$err"; fail=1; }
for v in 1 2; do
	out=$(sql "SELECT string_agg(coalesce(data::json->>'oversized', data::json#>>'{change,0,oversized}', '-'), ' ')
	             FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL, 'format-version', '$v',
	                  'max-value-bytes', '1000000000', 'include-transaction', 'off')" 2>/dev/null)
	check "wal2json format $v with max-value-bytes: left out, named" '["v"] -' "$out"
done

# --- pg_recvlogical: the same stream over the replication protocol
stream="$CLUSTER_DIR/stream.json"
as_pg_bg "$PGBIN/pg_recvlogical" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres --slot recv_slot --start \
	-f "$stream" -F 1 -s 1 2>"$CLUSTER_DIR/recv.log"
recv_pid=$BG_PID
for _ in $(seq 1 1200); do
	[ "$(sql "SELECT confirmed_flush_lsn >= '$lsn_end' FROM pg_replication_slots WHERE slot_name = 'recv_slot'")" = t ] && break
	kill -0 "$recv_pid" 2>/dev/null || { echo "FAIL: pg_recvlogical exited"; cat "$CLUSTER_DIR/recv.log"; exit 1; }
	sleep 0.1
done
wal_pid=$(sql "SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'recv_slot'")
wal_kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$wal_pid/status")
kill -INT "$recv_pid"; wait "$recv_pid" || true
echo "walsender peak: $((wal_kb / 1024)) MB (bound $BOUND_MB MB)"
[ "$wal_kb" -lt $((BOUND_MB * 1024)) ] || { echo "FAIL: walsender peak over $BOUND_MB MB"; fail=1; }
out=$(python3 - "$stream" "$FIT" <<'PY'
import json, sys
fit = int(sys.argv[2])
for line in open(sys.argv[1], encoding="utf-8"):
    c = json.loads(line)
    v = c["new"].get("v")
    shown = "(none)" if v is None else ("whole" if v == "a" * fit else v if len(v) < 100 else "cut")
    print(c["key"]["id"], json.dumps(c.get("oversized", "-")), shown)
PY
)
check "pg_recvlogical: 200 MB left out, 150 MB whole, every change arrives" \
	"$(printf '1 ["v"] (none)\n2 "-" after\n3 "-" whole\n4 "-" last')" "$out"
grep -q 'left out the value of column "v" of table "public"."big" with key {"id":1}' "$CLUSTER_DIR/recv.log" &&
	echo "ok: pg_recvlogical shows the WARNING" || { echo "FAIL: no WARNING for pg_recvlogical"; fail=1; }

# --- the server log names table, key and column; the slot moves past the change
n=$(grep -c 'WARNING:  outflow: left out the value of column "v" of table "public"."big" with key {"id":1}' \
	"$CLUSTER_DIR/server.log" || true)
[ "$n" -ge 2 ] && echo "ok: $n WARNINGs in the server log" || { echo "FAIL: $n WARNINGs in the server log"; fail=1; }
check "SQL: consuming moves the slot past it" 4 "$(sql "SELECT count(*) FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL)" 2>/dev/null)"
check "SQL: nothing left afterwards" 0 "$(sql "SELECT count(*) FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL)")"

# --- a logical message of 200 MB of chr(1): its content is left out the same way
sql "SELECT pg_create_logical_replication_slot('msg_slot', 'outflow')" >/dev/null
sql "SELECT pg_logical_emit_message(true, 'big', repeat(chr(1), $BIG))" >/dev/null
sql "INSERT INTO big VALUES (5, 'after the message')"
out=$(sql "SELECT coalesce(data::json->>'oversized', data::json->'new'->>'v')
             FROM pg_logical_slot_get_changes('msg_slot', NULL, NULL)" 2>/dev/null)
check "a 200 MB message: content left out, the next change arrives" "$(printf '["content"]\nafter the message')" "$out"

[ "$fail" = 0 ] || exit 1
echo "oversized: ok"
