# cluster.sh: start and stop throwaway PostgreSQL clusters for the scripts
# that keep a cluster of their own (demo, bench, valgrind, wal2json_suite;
# the tests use PostgreSQL::Test::Cluster).
# Source it, then:  cluster_start NAME [extra conf lines...]  -> sets PGPORT, PGHOST, CLUSTER_DIR
#                   cluster_psql -c '...'                    -> psql as postgres on that cluster
# Every cluster started is stopped on exit, also on failure. Servers run as
# the postgres user when we are root (initdb refuses root).

PGBIN=$(pg_config --bindir)
OUTFLOW_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CLUSTERS_STARTED=()

# Runs a command as the postgres user if we are root.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
	else
		"$@"
	fi
}

# Starts a command in the background as the postgres user and sets BG_PID to
# the command's own pid (not a subshell's), so that signals reach it. Use it
# instead of "as_pg cmd &" or "func &": those leave $! pointing at a bash
# subshell that a signal does not pass through.
as_pg_bg() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=postgres --regid=postgres --init-groups -- "$@" &
	else
		"$@" &
	fi
	BG_PID=$!
}

# Prints a TCP port nothing listens on.
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

# Stops every cluster this script started.
cluster_stop_all() {
	for d in "${CLUSTERS_STARTED[@]}"; do
		as_pg "$PGBIN/pg_ctl" -D "$d/data" -m immediate stop >/dev/null 2>&1 || true
		[ -n "${KEEP_CLUSTERS:-}" ] || rm -rf "$d"
	done
	CLUSTERS_STARTED=()
}
trap cluster_stop_all EXIT

# Starts a cluster with logical decoding on; extra arguments are conf lines.
cluster_start() {
	local name=$1; shift
	CLUSTER_DIR=$(mktemp -d "/tmp/outflow-$name.XXXXXX")
	chmod 755 "$CLUSTER_DIR"
	chown postgres: "$CLUSTER_DIR" 2>/dev/null || true
	CLUSTERS_STARTED+=("$CLUSTER_DIR")
	PGPORT=$(free_port)
	PGHOST=$CLUSTER_DIR
	export PGPORT PGHOST
	as_pg "$PGBIN/initdb" -D "$CLUSTER_DIR/data" -U postgres -A trust --no-sync >"$CLUSTER_DIR/initdb.log" 2>&1 ||
		{ cat "$CLUSTER_DIR/initdb.log"; return 1; }
	{
		"$OUTFLOW_ROOT/tests/lib/make_conf.sh" "$OUTFLOW_ROOT/tests/regress.conf.in"
		echo "port = $PGPORT"
		echo "listen_addresses = '127.0.0.1'"
		echo "unix_socket_directories = '$CLUSTER_DIR'"
		echo "fsync = off"
		for line in "$@"; do echo "$line"; done
	} | as_pg tee -a "$CLUSTER_DIR/data/postgresql.conf" >/dev/null
	as_pg "$PGBIN/pg_ctl" -D "$CLUSTER_DIR/data" -l "$CLUSTER_DIR/server.log" -w start >/dev/null ||
		{ cat "$CLUSTER_DIR/server.log"; return 1; }
}

# psql on the current cluster, quiet, stopping at the first error.
cluster_psql() {
	as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres "$@"
}
