#!/bin/bash
# Randomized correctness oracle (tests/oracle/oracle.py) on a throwaway cluster:
# random tables, values and transactions; every line valid JSON of the right
# shape, every row image equal to to_jsonb of the row, and replaying the
# stream onto empty copies reproduces the tables.
#   tests/oracle.sh                       quick fixed-seed round (CI)
#   tests/oracle.sh --seed N [--txns N] [--tables N]    any round; the seed is printed
#   ORACLE_ROUNDS=20 tests/oracle.sh --txns 1500        longer: 20 random seeds
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"
make -s -C "$here/tools" >/dev/null

cluster_start oracle "logical_decoding_work_mem = 64kB"
export PGUSER=postgres
work="$CLUSTER_DIR/work"
mkdir -p "$work"
chmod 777 "$work"
run() { setpriv --reuid=postgres --regid=postgres --init-groups -- env PGHOST="$PGHOST" PGPORT="$PGPORT" PGUSER=postgres \
	python3 "$here/oracle/oracle.py" --workdir "$work" --check "$here/tools/stream_check" "$@"; }
[ "$(id -u)" = 0 ] || run() { python3 "$here/oracle/oracle.py" --workdir "$work" --check "$here/tools/stream_check" "$@"; }

if [ -n "${ORACLE_ROUNDS:-}" ]; then
	for _ in $(seq 1 "$ORACLE_ROUNDS"); do run "$@"; done
elif [ $# -eq 0 ]; then
	run --seed 20261125 --txns 200 --tables 4
	run --seed 7 --txns 120 --tables 3
else
	run "$@"
fi
grep -q "terminated by signal" "$CLUSTER_DIR/server.log" && { grep -B2 -A2 "terminated by signal" "$CLUSTER_DIR/server.log"; exit 1; }
echo "oracle: all rounds passed"
