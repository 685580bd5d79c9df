#!/bin/bash
# Runs the Perl TAP tests in tests/tap/t with PostgreSQL's own test framework
# (PostgreSQL::Test::Cluster from the server's PGXS tree). The clusters run as
# the postgres user, so when we are root the tests run as postgres, on a copy
# in a postgres-owned temporary directory (tmp_check, logs). The directory is
# removed on success and kept (path printed) on failure.
# Usage: tests/tap.sh [t/NNN_name.pl ...]   (default: every test)
#        PROVE_FLAGS=-v tests/tap.sh         (every assertion and note)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bindir=$(pg_config --bindir)
src=$(cd "$(dirname "$(pg_config --pgxs)")/.." && pwd)    # .../pgxs/src
perl_lib=$src/test/perl
pg_regress=$src/test/regress/pg_regress
[ -f "$perl_lib/PostgreSQL/Test/Cluster.pm" ] || { echo "no PostgreSQL::Test::Cluster under $perl_lib"; exit 1; }
perl -MIPC::Run -e 1 2>/dev/null || { echo "IPC::Run missing (apt-get install libipc-run-perl)"; exit 1; }

dir=$(mktemp -d /tmp/outflow-tap.XXXXXX)
cp -r "$here/tap/t" "$here/tap/lib" "$dir/"
# the stream validator (STREAM_CHECK for the tests)
make -s -C "$here/tools" >/dev/null
cp "$here/tools/stream_check" "$dir/"
# the server configuration every cluster gets (TEMP_CONFIG is read by
# PostgreSQL::Test::Cluster::init): logical decoding, and
# output_plugin_libraries where the server knows it
"$here/lib/make_conf.sh" "$here/regress.conf.in" > "$dir/temp.conf"
chmod 755 "$dir"
if [ "$(id -u)" = 0 ]; then
	chown -R postgres: "$dir"
	as=(runuser -u postgres --)
else
	as=()
fi
tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
	tests=($(cd "$dir" && ls t/*.pl))
	[ ${#tests[@]} -gt 0 ] || { echo "no tests in $here/tap/t"; exit 1; }
fi

rc=0
(cd "$dir" && "${as[@]}" env PATH="$bindir:$PATH" PERL5LIB="$perl_lib:$dir/lib" PG_REGRESS="$pg_regress" \
	TESTDIR="$dir" TEMP_CONFIG="$dir/temp.conf" STREAM_CHECK="$dir/stream_check" \
	prove --timer ${PROVE_FLAGS:-} "${tests[@]}") || rc=$?
if [ "$rc" -eq 0 ]; then
	rm -rf "$dir"
	echo "tap: ok"
else
	echo "tap: FAILED (logs kept in $dir/tmp_check/log)"
fi
exit "$rc"
