#!/usr/bin/perl
# outflow.slot_publication (the publications remembered per slot) is an
# extension configuration table: pg_dump keeps its rows, also when the
# dumping role is not a superuser, and a restore brings them back. A
# non-superuser REPLICATION role manages slots through the SQL API; a plain
# role may read the remembered publications, not change them.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init(allows_streaming => 'logical');
$node->start;
my $dir = "$PostgreSQL::Test::Utils::tmp_check/dump";
mkdir $dir or die "mkdir $dir: $!";

# SQL as a role, in a database; dies on an error.
sub sql_as
{
	my ($role, $sql, $db) = @_;
	return $node->safe_psql($db // 'postgres', $sql, extra_params => [ '-U', $role ]);
}

# pg_dump of the postgres database as a role, with @args, into $file.
sub dump_as
{
	my ($role, $file, @args) = @_;
	my $err = '';
	my $ok = IPC::Run::run([ 'pg_dump', '-d', $node->connstr('postgres') . " user=$role", '-f', $file, @args ], '2>', \$err);
	is($ok ? '' : $err, '', "pg_dump as $role");
}

sql_as('postgres', q{
CREATE ROLE repl LOGIN REPLICATION;
CREATE ROLE reader LOGIN;
CREATE EXTENSION outflow;
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE u (id int PRIMARY KEY);
ALTER TABLE t OWNER TO repl;
ALTER TABLE u OWNER TO repl;
GRANT CREATE ON DATABASE postgres TO repl;
GRANT SELECT ON t, u TO reader;});

# the REPLICATION role: its own publications and slot
sql_as('repl', "SELECT outflow.publish_table('pub_t', 't')");
sql_as('repl', "SELECT outflow.publish_table('pub_u', 'u', actions => '{insert}')");
is(sql_as('repl', "SELECT outflow.create_slot('slot_t', ARRAY['pub_t', 'pub_u']) IS NOT NULL"), 't',
	'a REPLICATION role creates a slot through the SQL API');
is(sql_as('repl', "SELECT string_agg(check_name, ', ') FROM outflow.setup_check() WHERE ok IS FALSE AND check_name LIKE 'privilege%'"),
	'', 'setup_check reports no missing privileges for it');

# a plain role may read, not change
is(sql_as('reader', "SELECT slot_name, publications FROM outflow.slots WHERE slot_name = 'slot_t'"),
	'slot_t|{pub_t,pub_u}', 'a plain role reads the remembered publications');
my ($ret, $out, $err) = $node->psql('postgres', 'DELETE FROM outflow.slot_publication', extra_params => [ '-U', 'reader' ]);
isnt($ret, 0, 'a plain role cannot change outflow.slot_publication');
like($err, qr/permission denied to change outflow\.slot_publication/, 'with a clear message');

# pg_dump as the plain role (it can read everything it dumps here)
dump_as('reader', "$dir/reader.sql", '-n', 'outflow', '-n', 'public');
like(slurp_file("$dir/reader.sql"), qr/^slot_t\t\{pub_t,pub_u\}\t/m, 'the non-superuser dump keeps the row');

# pg_dump as superuser, restored into a new database
dump_as('postgres', "$dir/all.sql");
sql_as('postgres', 'CREATE DATABASE restored');
my $restore_err = '';
IPC::Run::run([ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('restored'), '-f', "$dir/all.sql" ],
	'>', \my $restore_out, '2>', \$restore_err) or diag $restore_err;
is(sql_as('postgres', "SELECT slot_name || '=' || publications::text FROM outflow.slot_publication", 'restored'),
	'slot_t={pub_t,pub_u}', 'the restore brings the row back');

is(sql_as('repl', "SELECT outflow.drop_slot('slot_t')"), '', 'the REPLICATION role drops its slot');
is($node->safe_psql('postgres', 'SELECT count(*) FROM pg_replication_slots'), '0', 'the slot is gone');

$node->stop;
done_testing();
