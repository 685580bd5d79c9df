#!/usr/bin/perl
# outflow over the replication protocol, driven by pg_recvlogical: a slot
# created and dropped with --create-slot -P outflow / --drop-slot; plugin
# options passed with -o, a boolean without a value (include-transaction),
# lists (actions=insert,update) and patterns (add-tables=public.items), each
# taking effect in what arrives; a bad option value refused with outflow's
# message, leaving the slot intact and readable; a second consumer that
# starts where the first confirmed receives nothing again. (Consumers killed
# and restarted, a server crash and spilled transactions:
# 003_crash_restart.pl.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use OutflowTap;

my ($node, $dir) = logical_node('recvlogical');
my $connstr = $node->connstr('postgres');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Runs pg_recvlogical on slot s with @args; returns (exit status, stderr).
sub recvlogical
{
	my (@args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ 'pg_recvlogical', '-d', $connstr, '--slot', 's', @args ], '>', \$out, '2>', \$err);
	return ($? >> 8, $err);
}

# Waits until no walsender holds slot s.
sub slot_free
{
	$node->poll_query_until('postgres', "SELECT NOT active FROM pg_replication_slots WHERE slot_name = 's'")
	  or die "slot s was not released";
}

sql("CREATE TABLE items (id int PRIMARY KEY, v text); CREATE TABLE other (id int PRIMARY KEY)");

my ($status, $err) = recvlogical('--create-slot', '-P', 'outflow');
is($status, 0, 'pg_recvlogical --create-slot -P outflow') or diag $err;
is(sql("SELECT plugin FROM pg_replication_slots WHERE slot_name = 's'"), 'outflow', 'the slot uses the outflow plugin');

sql("INSERT INTO items VALUES (1, 'a'), (2, 'b'), (3, 'c');
	 INSERT INTO other VALUES (1);
	 UPDATE items SET v = 'bb' WHERE id = 2;
	 DELETE FROM items WHERE id = 3;
	 TRUNCATE other");
my $end = sql("SELECT pg_current_wal_lsn()");

# options over the protocol; --endpos ends the run once the slot reached $end
my $file = "$dir/stream.json";
($status, $err) = recvlogical('--start', '--endpos', $end, '--no-loop', '-f', $file,
	'-o', 'include-transaction', '-o', 'actions=insert,update', '-o', 'add-tables=public.items');
is($status, 0, 'pg_recvlogical with options streams up to --endpos') or diag $err;
my @changes = decode_lines(slurp_file($file));
my %ops;
$ops{ $_->{op} }++ for @changes;
is(join(',', map { "$_=$ops{$_}" } sort keys %ops), 'begin=2,commit=2,insert=3,update=1',
	'include-transaction without a value is on; actions=insert,update keeps inserts and updates only');
my %tables = map { ("$_->{schema}.$_->{table}" => 1) } grep { $_->{table} } @changes;
is(join(',', sort keys %tables), 'public.items', 'add-tables=public.items keeps that table only');
my ($update) = grep { $_->{op} eq 'update' } @changes;
is(encode($update->{new}), '{"id":"#num:2","v":"bb"}', 'the update carries its new row');

# a bad value: outflow's message reaches the consumer, the slot stays usable
slot_free();
my $before = sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's'");
($status, $err) = recvlogical('--start', '--no-loop', '-f', "$dir/bad.json", '-o', 'actions=insert,upsert');
isnt($status, 0, 'pg_recvlogical fails on a bad option value');
like($err, qr/invalid value "upsert" for option "actions"/, 'with the option and the value named');
slot_free();
is(sql("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 's'"), $before,
	'the refused start did not move the slot');

# everything up to $end was confirmed: SQL reads only what came after
sql("INSERT INTO items VALUES (4, 'd')");
my @after = decode_lines(sql("SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL)"));
is(join(',', map { "$_->{op}:$_->{table}:" . num($_->{key}{id}) } @after), 'insert:items:4',
	'an SQL read after the consumer gets only the later change');

($status, $err) = recvlogical('--drop-slot');
is($status, 0, 'pg_recvlogical --drop-slot') or diag $err;
is(sql("SELECT count(*) FROM pg_replication_slots"), '0', 'the slot is gone');
unlike(slurp_file($node->logfile), qr/terminated by signal/, 'no backend crashed');

$node->stop;
done_testing();
