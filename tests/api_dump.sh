#!/bin/bash
# outflow.slot_publication (the publications remembered per slot) is an
# extension configuration table: pg_dump keeps its rows, also when the
# dumping role is not a superuser, and a restore brings them back. A
# non-superuser REPLICATION role manages slots through the SQL API.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib/cluster.sh"

cluster_start dump
cluster_psql <<'SQL'
CREATE ROLE repl LOGIN REPLICATION;
CREATE ROLE reader LOGIN;
CREATE EXTENSION outflow;
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE u (id int PRIMARY KEY);
ALTER TABLE t OWNER TO repl;
ALTER TABLE u OWNER TO repl;
GRANT CREATE ON DATABASE postgres TO repl;
GRANT SELECT ON t, u TO reader;
SQL
# the REPLICATION role: its own publication and slot
cluster_psql -U repl -c "SELECT outflow.publish_table('pub_t', 't')" \
	-c "SELECT outflow.publish_table('pub_u', 'u', actions => '{insert}')" \
	-c "SELECT outflow.create_slot('slot_t', ARRAY['pub_t', 'pub_u']) IS NOT NULL AS created"
got=$(cluster_psql -At -U repl -c "SELECT check_name FROM outflow.setup_check() WHERE ok IS FALSE AND check_name LIKE 'privilege%'")
[ -z "$got" ] || { echo "setup_check reports missing privileges for repl: $got"; exit 1; }
# a plain role may read, not change
cluster_psql -At -U reader -c "SELECT slot_name, publications FROM outflow.slots WHERE slot_name = 'slot_t'" | grep -qx 'slot_t|{pub_t,pub_u}'
if cluster_psql -U reader -c "DELETE FROM outflow.slot_publication" 2>"$CLUSTER_DIR/err"; then
	echo "a role without REPLICATION changed outflow.slot_publication"; exit 1
fi
grep -q 'permission denied to change outflow.slot_publication' "$CLUSTER_DIR/err"

# pg_dump as the plain role (it can read everything it dumps here)
as_pg "$PGBIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U reader -d postgres -n outflow -n public > "$CLUSTER_DIR/reader.sql"
grep -q '^slot_t	{pub_t,pub_u}	' "$CLUSTER_DIR/reader.sql" || { echo "pg_dump by a non-superuser lost the row"; exit 1; }
# pg_dump as superuser, restored into a new database
as_pg "$PGBIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres -d postgres > "$CLUSTER_DIR/all.sql"
cluster_psql -c "CREATE DATABASE restored"
cluster_psql -d restored -f "$CLUSTER_DIR/all.sql" >/dev/null
[ "$(cluster_psql -At -d restored -c "SELECT slot_name || '=' || publications::text FROM outflow.slot_publication")" = 'slot_t={pub_t,pub_u}' ] ||
	{ echo "the restore lost the row"; exit 1; }
cluster_psql -U repl -c "SELECT outflow.drop_slot('slot_t')"
echo "api_dump: ok"
