#!/bin/sh
# Prints a server configuration: the given file, plus output_plugin_libraries
# allowing outflow where the server knows that setting (15.19 and later).
# An unknown name in postgresql.conf would stop an older server from starting.
set -eu
cat "$1"
bindir=$(pg_config --bindir)
if "$bindir/postgres" --describe-config 2>/dev/null | grep -q '^output_plugin_libraries'; then
	echo "output_plugin_libraries = 'pgoutput, test_decoding, outflow, outflow_wal2json, wal2json, outflow_floor'"
fi
