#!/bin/bash
# run.sh: the benchmark (`make bench`, `make bench BENCH_ARGS=--quick`).
# Builds and installs the floor plugin (bench/floor), starts a throwaway
# cluster (tests/lib/cluster.sh, stopped on exit), then runs bench.py on it.
# Measures the outflow library that is installed: `make install` first
# (`make bench` does). Arguments go to bench.py (--help lists them).
set -euo pipefail
cd "$(dirname "$0")/.."
for a in "$@"; do
	if [ "$a" = -h ] || [ "$a" = --help ]; then exec python3 bench/bench.py --help; fi
done
source tests/lib/cluster.sh

if [ ! -f "$(pg_config --pkglibdir)/wal2json.so" ]; then
	echo "bench: wal2json is not installed (package postgresql-15-wal2json)" >&2
	exit 1
fi
make -s -C bench/floor >/dev/null
make -s -C bench/floor install >/dev/null
rm -f bench/floor/*.o

cluster_start bench \
	"shared_buffers = 512MB" \
	"max_replication_slots = 20" \
	"max_wal_senders = 10" \
	"logical_decoding_work_mem = 64MB" \
	"max_wal_size = 8GB" \
	"checkpoint_timeout = 1h" \
	"autovacuum = off" >/dev/null
# bench.py connects as postgres over the cluster's socket (trust): PGHOST
# and PGPORT come from cluster_start.
python3 bench/bench.py "$@"
