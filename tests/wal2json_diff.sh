#!/bin/bash
# wal2json_diff.sh: decodes one workload with the real wal2json (Debian's
# package of this major: 2.3 on 13, 2.5 on 15, 2.6 on 17, 2.7 on 18) and with
# outflow's wal2json formats, from two slots created at the same point, and
# compares the bytes for many option combinations and session settings. One
# line per comparison, then "N passed, M failed, K skipped".
#
# Both are read with the same options, wal2json's defaults included (the
# "no options" runs pass none at all): outflow_wal2json sends empty
# transactions (DDL only, or every change filtered out) as wal2json does.
# The include-empty-transactions=false runs (an outflow option) compare
# against the oracle without its empty documents ({"change":[]}, its two
# write-in-chunks pieces, or an adjacent B/C pair).
#
# outflow writes what wal2json 2.6 writes. The installed wal2json's version
# (W2J_VERSION, else its Debian package's) selects the accounted differences
# of that version, and only those; the comparison itself stays byte-exact:
# - Before 2.6 (2.3, 2.5):
#   - Format 1, non-transactional message: may be written "[,{" (a comma left
#     over from the previous transaction's count). The oracle's rows get that
#     one comma removed.
#   - include-pk: 2.6 prints the primary key of REPLICA IDENTITY FULL tables
#     (and in format 1 of any table with a primary key), 2.3 and 2.5 do not:
#     the include-pk runs leave those tables out (filter-tables), and
#     sql/wal2json_options.sql checks them.
# - Before 2.5 (2.3):
#   - Type names format_type() quotes ("char", "MyEnum"): format 1 escapes the
#     quotes ("\"char\""), format 2 writes them bare (""char"", invalid JSON).
#     The oracle's type names are rewritten to 2.6's ("char", and "\"MyEnum\"[]"
#     for arrays in format 2).
#   - Format 2 has no include-type-oids: those runs are skipped.
#   - Format 2 leaves NULL values out of a REPLICA IDENTITY FULL identity: the
#     UPDATE and DELETE rows of t_full (old rows with NULLs) are left out on
#     both sides.
#   - Format 2 TRUNCATE ignores filter-tables: with filter-tables, the "T"
#     rows are left out on both sides.
#   - Format 2 include-pk writes "pk":[] for REPLICA IDENTITY USING INDEX:
#     the include-pk runs leave t_index (and t_nothing) out as format 1's do.
#   - Format 1 include-default loses the defaults of a table rewritten by
#     ALTER TABLE (t_alter): its rows are left out on both sides of the
#     include-default runs.
# - From 2.7: format 1 with include-not-null and include-types=false writes
#   the not-null flags; 2.6 writes "columnoptionals":[] (the flags were only
#   written with the types). The oracle's flags are removed.
# - Things 2.6 does not do either way, absent from the workload and checked
#   by sql/wal2json_*.sql instead: numeric-data-types-as-string (new in 2.6),
#   message content with NUL bytes, bytea_output=escape, default expressions
#   or type names that need escaping.
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/lib/cluster.sh

PGMAJOR=$(pg_config --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
if [ ! -f "$(pg_config --pkglibdir)/wal2json.so" ]; then
	echo "FAIL wal2json is not installed (package postgresql-$PGMAJOR-wal2json): it is the oracle"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# wal2json's MAJOR.MINOR: W2J_VERSION, else the Debian package's version.
W2J_VERSION=${W2J_VERSION:-$(dpkg-query -W -f='${Version}' "postgresql-$PGMAJOR-wal2json" 2>/dev/null |
	sed -nE 's/^([0-9]+\.[0-9]+).*/\1/p' || true)}
if [ -z "$W2J_VERSION" ]; then
	echo "FAIL cannot tell wal2json's version (no package postgresql-$PGMAJOR-wal2json): set W2J_VERSION"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
echo "wal2json $W2J_VERSION (PostgreSQL $PGMAJOR)"

# w2j_before VERSION: true if the installed wal2json is older than VERSION.
w2j_before() {
	[ "$W2J_VERSION" != "$1" ] && [ "$(printf '%s\n%s\n' "$W2J_VERSION" "$1" | sort -V | head -1)" = "$W2J_VERSION" ]
}

cluster_start w2jdiff >/dev/null
OUT=$(mktemp -d /tmp/w2jdiff.XXXXXX)
chmod 777 "$OUT"
# W2J_KEEP=1 keeps the fetched rows (NAME.oracle, NAME.outflow) for full-line diffs.
if [ "${W2J_KEEP:-0}" = 1 ]; then
	echo "W2J_KEEP: output kept in $OUT"
	trap 'cluster_stop_all' EXIT
else
	trap 'cluster_stop_all; rm -rf "$OUT"' EXIT
fi

cluster_psql -At -c "SELECT 'x' FROM pg_create_logical_replication_slot('oracle', 'wal2json')" >/dev/null
cluster_psql -At -c "SELECT 'x' FROM pg_create_logical_replication_slot('outflow', 'outflow_wal2json')" >/dev/null
cluster_psql -f tests/wal2json_diff/workload.sql >/dev/null 2>"$OUT/workload.err" ||
	{ cat "$OUT/workload.err"; exit 1; }

passed=0
failed=0
skipped=0

# has OPTIONS NAME VALUE: true if the option list passes NAME with VALUE.
has() { [[ "$1" == *"'$2', '$3'"* ]]; }

# account OPTIONS: the installed version's accounted differences for one run.
# Sets ORACLE_COLUMN (the oracle's rows, rewritten), DROP_ROWS (rows left out
# on both sides) and SKIP (why the run cannot be made with this version).
account() {
	local options=$1 v=1
	has "$options" format-version 2 && v=2
	ORACLE_COLUMN="data" DROP_ROWS="false" SKIP=""
	if w2j_before 2.6 && [ $v = 1 ]; then
		ORACLE_COLUMN="regexp_replace($ORACLE_COLUMN, '^(\{\s*\"change\":\s*\[\s*),(\{\s*\"kind\":\s*\"message\",\s*\"transactional\":\s*false,)', '\1\2')"
	fi
	if w2j_before 2.5; then
		if [ $v = 1 ]; then
			ORACLE_COLUMN="regexp_replace($ORACLE_COLUMN, '\"\x5c\"(char|MyEnum)\x5c\"\"', '\"\1\"', 'g')"
		else
			ORACLE_COLUMN="regexp_replace($ORACLE_COLUMN, '\"type\":\"\"(\w+)\"\"', '\"type\":\"\1\"', 'g')"
			ORACLE_COLUMN="regexp_replace($ORACLE_COLUMN, '\"type\":\"\"(\w+)\"\[\]\"',
				'\"type\":\"' || repeat(chr(92), 2) || '\"\1' || repeat(chr(92), 2) || '\"[]\"', 'g')"
			has "$options" include-type-oids 1 && SKIP="wal2json $W2J_VERSION has no include-type-oids in format 2"
			DROP_ROWS="$DROP_ROWS OR data ~ '^\{\"action\":\"[UD]\",.*\"table\":\"t_full\",'"
			[[ "$options" == *"'filter-tables'"* ]] && DROP_ROWS="$DROP_ROWS OR data LIKE '{\"action\":\"T\",%'"
		fi
		if [ $v = 1 ] && has "$options" include-default 1; then
			DROP_ROWS="$DROP_ROWS OR data ~ '\"table\":\s*\"t_alter\"'"
		fi
	fi
	if ! w2j_before 2.7 && [ $v = 1 ] && has "$options" include-types 0 && has "$options" include-not-null 1; then
		ORACLE_COLUMN="regexp_replace($ORACLE_COLUMN, '(\"columnoptionals\":\s*\[)[^]]*\]', '\1]', 'g')"
	fi
	return 0
}

# fetch SLOT SETTINGS OPTIONS FILTER FILE: the slot's rows, in order, without
# DROP_ROWS; the oracle's as ORACLE_COLUMN. FILTER=1 drops wal2json's empty
# transactions.
fetch() {
	local slot=$1 settings=$2 options=$3 filter=$4 file=$5
	local where="true" column="data"
	[ "$slot" = oracle ] && column=$ORACLE_COLUMN
	if [ "$filter" = 1 ]; then
		where="NOT (data ~ '^\{[^\[]*\"change\":\s*\[\s*\]\s*\}\$'
			OR (data ~ '^\{[^\[]*\"change\":\s*\[\$' AND next ~ '^\s*\]\s*\}\$')
			OR (data ~ '^\s*\]\s*\}\$' AND prev ~ '^\{[^\[]*\"change\":\s*\[\$')
			OR (data LIKE '{\"action\":\"B\"%' AND next LIKE '{\"action\":\"C\"%')
			OR (data LIKE '{\"action\":\"C\"%' AND prev LIKE '{\"action\":\"B\"%'))"
	fi
	cluster_psql -At -o "$file" 2>"$file.err" <<SQL
$settings
SELECT data FROM (
	SELECT $column AS data, n, lag(data) OVER (ORDER BY n) AS prev, lead(data) OVER (ORDER BY n) AS next
	FROM pg_logical_slot_peek_changes('$slot', NULL, NULL $options) WITH ORDINALITY AS c(lsn, xid, data, n)
	WHERE NOT ($DROP_ROWS)
) r WHERE $where ORDER BY n;
SQL
}

# compare NAME SETTINGS ORACLE_OPTIONS [OUTFLOW_EXTRA_OPTIONS [FILTER]]
# FILTER=1: the oracle's empty transactions are dropped before comparing.
compare() {
	local name=$1 settings=$2 options=$3 extra=${4:-} filter=${5:-0}
	local f="$OUT/$(echo "$name" | tr -c 'a-zA-Z0-9\n' '_')"
	account "$options"
	if [ -n "$SKIP" ]; then
		echo "skip $name ($SKIP)"
		skipped=$((skipped + 1))
		return
	fi
	if ! fetch oracle "$settings" "$options" "$filter" "$f.oracle"; then
		echo "FAIL $name (wal2json: $(head -c 300 "$f.oracle.err"))"
		failed=$((failed + 1))
		return
	fi
	if ! fetch outflow "$settings" "$options$extra" 0 "$f.outflow"; then
		echo "FAIL $name (outflow: $(head -c 300 "$f.outflow.err"))"
		failed=$((failed + 1))
		return
	fi
	if cmp -s "$f.oracle" "$f.outflow" && [ -s "$f.oracle" ]; then
		echo "ok   $name ($(wc -c <"$f.oracle") bytes)"
		passed=$((passed + 1))
	else
		echo "FAIL $name"
		{ diff "$f.oracle" "$f.outflow" || true; } | head -"${DIFF_LINES:-10}" | cut -c1-400 | sed 's/^/     /'
		failed=$((failed + 1))
	fi
}

S0="SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY';"
S1="SET TimeZone = 'America/St_Johns'; SET DateStyle = 'SQL, DMY'; SET extra_float_digits = 0; SET IntervalStyle = 'postgres_verbose';"
S2="SET TimeZone = 'Asia/Kathmandu'; SET DateStyle = 'German'; SET extra_float_digits = 3; SET IntervalStyle = 'iso_8601';"
# DateStyle ISO in a fixed-offset zone, a negative one and one with daylight saving time.
S3="SET TimeZone = '<+0530>-05:30'; SET DateStyle = 'ISO, DMY';"
S4="SET TimeZone = 'Etc/GMT+12'; SET DateStyle = 'ISO';"
S5="SET TimeZone = 'America/St_Johns'; SET DateStyle = 'ISO, MDY';"
# include-pk before 2.6: no "pk" for REPLICA IDENTITY FULL tables; format 1
# (and format 2 before 2.5) shows it only for REPLICA IDENTITY DEFAULT. 2.6
# shows it whenever there is a primary key. Those tables are left out there.
NOPK_FULL=", 'filter-tables', 'public.t_full,public.t_toast_full,public.t_ri_change'"
NOPK_V1=", 'filter-tables', 'public.t_full,public.t_toast_full,public.t_ri_change,public.t_nothing,public.t_index'"
w2j_before 2.6 || NOPK_V1=
ALL_META=", 'include-type-oids', '1', 'include-column-positions', '1', 'include-not-null', '1', 'include-default', '1'"
TXN_META=", 'include-xids', '1', 'include-timestamp', '1', 'include-lsn', '1', 'include-origin', '1'"

for v in 1 2; do
	F=", 'format-version', '$v'"
	compare "v$v default" "$S0" "$F"
	compare "v$v settings SQL/DMY St_Johns" "$S1" "$F"
	compare "v$v settings German Kathmandu" "$S2" "$F"
	compare "v$v settings ISO +05:30" "$S3" "$F"
	compare "v$v settings ISO Etc/GMT+12" "$S4" "$F"
	compare "v$v settings ISO St_Johns" "$S5" "$F"
	compare "v$v xids timestamp lsn origin" "$S1" "$F$TXN_META"
	compare "v$v type-oids positions not-null default" "$S0" "$F$ALL_META"
	compare "v$v types off" "$S0" "$F, 'include-types', '0'$ALL_META"
	compare "v$v typmod off" "$S0" "$F, 'include-typmod', '0', 'include-type-oids', '1'"
	compare "v$v domain-data-type" "$S0" "$F, 'include-domain-data-type', '1', 'include-type-oids', '1'"
	compare "v$v domain-data-type typmod off" "$S0" "$F, 'include-domain-data-type', '1', 'include-typmod', '0', 'include-type-oids', '1'"
	compare "v$v domain-data-type types off" "$S0" "$F, 'include-domain-data-type', '1', 'include-types', '0', 'include-type-oids', '1', 'include-not-null', '1'"
	compare "v$v schemas off" "$S0" "$F, 'include-schemas', '0'"
	NOPK=
	w2j_before 2.6 && NOPK=$NOPK_FULL
	{ [ $v = 1 ] || w2j_before 2.5; } && NOPK=$NOPK_V1
	PKNOTE=${NOPK:+ (some tables left out)}
	compare "v$v include-pk$PKNOTE" "$S0" "$F, 'include-pk', '1'$NOPK"
	compare "v$v include-pk types off$PKNOTE" "$S0" "$F, 'include-pk', '1', 'include-types', '0'$NOPK"
	compare "v$v actions insert,delete" "$S0" "$F, 'actions', 'insert,delete'"
	compare "v$v add-tables" "$S0" "$F, 'add-tables', 'public.t_multi,Odd\\ Schema.*'"
	compare "v$v filter-msg-prefixes" "$S0" "$F, 'filter-msg-prefixes', 'pfx,bin'"
	compare "v$v add-msg-prefixes" "$S0" "$F, 'add-msg-prefixes', 'nontx,tx'"
	compare "v$v filter-tables wildcards" "$S0" "$F, 'filter-tables', '*.t_types,public.*'"
	compare "v$v filter-origins" "$S0" "$F, 'filter-origins', '1'$TXN_META"
	compare "v$v actions update,truncate" "$S0" "$F, 'actions', 'update,truncate'"
	compare "v$v include-pk typmod off$PKNOTE" "$S0" "$F, 'include-pk', '1', 'include-typmod', '0'$NOPK"
	compare "v$v include-empty-transactions=true" "$S0" "$F$TXN_META" ", 'include-empty-transactions', '1'"
	compare "v$v include-empty-transactions=false (oracle without empty ones)" "$S0" "$F$TXN_META" \
		", 'include-empty-transactions', '0'" 1
	compare "v$v include-empty-transactions=false add-tables" "$S0" "$F, 'add-tables', 'public.t_multi'" \
		", 'include-empty-transactions', '0'" 1
done
# wal2json's defaults: no option at all (format 1), also under other session settings.
compare "no options" "$S0" ""
# The comparison above must have covered empty transactions: DDL-only ones are in the workload.
empty=$(grep -c '^{"change":\[\]}$' "$OUT/no_options.outflow" || true)
if [ "$empty" -gt 5 ]; then
	echo "ok   no options: $empty empty transactions sent, as wal2json sends them"
	passed=$((passed + 1))
else
	echo "FAIL no options: only ${empty:-0} empty transactions in outflow's output"
	failed=$((failed + 1))
fi
compare "no options, settings SQL/DMY St_Johns" "$S1" ""
compare "no options but actions" "$S0" ", 'actions', 'delete'"
compare "no options but filter-tables" "$S0" ", 'filter-tables', '*.*'"
compare "no options but add-tables" "$S0" ", 'add-tables', 'public.t_nopk'"
compare "no options but include-empty-transactions=false" "$S0" "" ", 'include-empty-transactions', 'false'" 1
compare "v2 format-version only, include-empty-transactions=false" "$S0" ", 'format-version', '2'" \
	", 'include-empty-transactions', 'false'" 1
compare "v2 include-transaction off, add-tables" "$S0" ", 'format-version', '2', 'include-transaction', '0', 'add-tables', 'public.t_multi'"

F=", 'format-version', '1'"
compare "v1 pretty-print" "$S0" "$F, 'pretty-print', '1'"
compare "v1 pretty-print all metadata" "$S1" "$F, 'pretty-print', '1'$ALL_META$TXN_META, 'include-pk', '1'$NOPK_V1"
compare "v1 write-in-chunks" "$S0" "$F, 'write-in-chunks', '1'"
compare "v1 write-in-chunks pretty-print" "$S2" "$F, 'write-in-chunks', '1', 'pretty-print', '1'$TXN_META"
compare "v1 write-in-chunks include-empty-transactions=false" "$S0" "$F, 'write-in-chunks', '1'" ", 'include-empty-transactions', '0'" 1
compare "v1 pretty-print include-empty-transactions=false" "$S0" "$F, 'pretty-print', '1'$TXN_META" ", 'include-empty-transactions', '0'" 1
compare "v1 write-in-chunks filter-tables (all empty)" "$S0" "$F, 'write-in-chunks', '1', 'filter-tables', '*.*'"
compare "v1 pretty-print actions truncate" "$S0" "$F, 'pretty-print', '1', 'actions', 'truncate'"
compare "v2 include-transaction off" "$S0" ", 'format-version', '2', 'include-transaction', '0'$TXN_META"
compare "v2 pretty-print ignored" "$S0" ", 'format-version', '2', 'pretty-print', '1'"

# Not a comparison: format 1 without write-in-chunks stops with a clear
# error before a transaction's document passes 1 GB (wal2json fails inside
# StringInfo); write-in-chunks handles the same transaction. Needs ~2 GB of
# memory and ~10 s; W2J_SKIP_BIG=1 skips it.
if [ "${W2J_SKIP_BIG:-0}" != 1 ]; then
	cluster_psql -c "CREATE TABLE t_big (id int PRIMARY KEY, t text)"
	cluster_psql -At -c "SELECT 'x' FROM pg_create_logical_replication_slot('big', 'outflow_wal2json')" >/dev/null
	cluster_psql -c "INSERT INTO t_big SELECT i, repeat('x', 1000000) || i FROM generate_series(1, 1100) i"
	err=$(cluster_psql -At -v VERBOSITY=verbose \
		-c "SELECT count(*) FROM pg_logical_slot_peek_changes('big', NULL, NULL)" 2>&1 >/dev/null || true)
	chunks=$(cluster_psql -At -c "SELECT count(*) FROM pg_logical_slot_peek_changes('big', NULL, NULL, 'write-in-chunks', '1')")
	# (here-strings: with pipefail, "echo | grep -q" fails when grep exits before echo has written)
	if grep -q "ERROR:  54000: wal2json format-version 1 document of transaction [0-9]* would exceed the 1 GB limit" <<<"$err" &&
		grep -q "HINT:  Use write-in-chunks=true or format-version=2" <<<"$err" && [ "$chunks" = 1102 ]; then
		echo "ok   v1 transaction over 1 GB: clear error; write-in-chunks copes"
		passed=$((passed + 1))
	else
		echo "FAIL v1 transaction over 1 GB (error: $(echo "$err" | head -3); chunks: $chunks)"
		failed=$((failed + 1))
	fi
	cluster_psql -At -c "SELECT pg_drop_replication_slot('big')" >/dev/null
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
