#!/usr/bin/perl
# The one-transaction initial copy on every major (README "Initial copy"): a
# slot created over a replication connection exports a snapshot; while that
# connection stays open, another session imports the snapshot and reads
# outflow.snapshot(); then the slot's stream is read. Snapshot + stream must
# rebuild the published rows exactly: rows written before the slot only in
# the snapshot, rows written after it only in the stream, a column left out
# of the publication nowhere (from 15 on; before, whole rows of every row).
# 001_publication_consumers.pl does the same with a native subscriber from
# 15 on; this one also runs where the command's syntax is 13's
# (EXPORT_SNAPSHOT).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

my ($node) = logical_node('snapshot');

sub sql { return $node->safe_psql('postgres', $_[0]); }

my $lists = server_major() >= 15;    # column lists and row filters
my %published = (
	'public.accounts' => {
		columns => $lists ? [qw(id owner balance opened)] : [qw(id owner balance opened secret)],
		key => [qw(id)],
	},
	'public.events' => {
		columns => [qw(id account payload)],
		filter => $lists ? 'id % 2 = 0' : undef,
		key => [qw(id)],
	},
);

sql(q{CREATE EXTENSION outflow;
CREATE TABLE accounts (id int PRIMARY KEY, owner text, balance numeric(12,2), opened timestamptz, secret text);
CREATE TABLE events (id bigint PRIMARY KEY, account int, payload jsonb);
INSERT INTO accounts SELECT g, 'owner ' || g, g * 1.5, '2026-01-01 00:00+00'::timestamptz + g * interval '1 hour', 'pin' || g
FROM generate_series(1, 500) g;
INSERT INTO events SELECT g, g % 500 + 1, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)) FROM generate_series(1, 300) g;});
if ($lists)
{
	sql("SELECT outflow.publish_table('copy', 'accounts', '{id,owner,balance,opened}');
		 SELECT outflow.publish_table('copy', 'events', row_filter => 'id % 2 = 0')");
}
else
{
	sql("SELECT outflow.publish_table('copy', 'accounts'); SELECT outflow.publish_table('copy', 'events')");
}
my $at_slot = rows_of($node, \%published, 1);

# The replication connection, kept open: the exported snapshot lives until
# its next command (13's syntax included).
my ($repl, $slot, $lsn, $snapshot, $plugin, $err) = export_snapshot($node, 'copy_slot');
is("$slot|$plugin", 'copy_slot|outflow', 'CREATE_REPLICATION_SLOT exports a snapshot') or diag $err;

# Changes after the slot's start: only in the stream.
sql(q{INSERT INTO accounts SELECT g, 'late ' || g, g, now(), 'pin' FROM generate_series(501, 600) g;
UPDATE accounts SET balance = balance + 100 WHERE id % 7 = 0;
UPDATE accounts SET id = id + 1000 WHERE id BETWEEN 10 AND 19;
DELETE FROM accounts WHERE id % 11 = 0;
INSERT INTO events SELECT g, 1, '{"late": true}' FROM generate_series(301, 340) g;
UPDATE events SET payload = payload || '{"seen": true}' WHERE id <= 20;
DELETE FROM events WHERE id BETWEEN 100 AND 120;
BEGIN; INSERT INTO accounts VALUES (9999, 'rolled back', 0, now(), 'x'); ROLLBACK;});

# The initial copy, as of the slot's start.
my $copy_text = sql("BEGIN ISOLATION LEVEL REPEATABLE READ;
SET TRANSACTION SNAPSHOT '$snapshot';
SELECT s FROM outflow.snapshot('copy') s;
COMMIT;");
end_export($repl);

my ($copy, $not_read) = snapshot_state(decode_lines($copy_text));
is(join(',', @$not_read), '', 'every snapshot() row is a read');
same_state($copy, $at_slot, 'snapshot() under the exported snapshot = the published rows at the slot\'s start');

my $stream_text = sql(q{SELECT change FROM outflow.changes('copy_slot', options => '{"publication_names": "copy"}')});
my $rebuilt = replay($copy, [ decode_lines($stream_text) ], 'the slot\'s stream', \%published);
same_state($rebuilt, rows_of($node, \%published, 1), 'snapshot() + stream = the published rows now');

my $all = $copy_text . $stream_text;
if ($lists)
{
	unlike($all, qr/secret|"pin/, 'the column left out of the publication appears nowhere');
}
else
{
	like($all, qr/"secret"/, 'without column lists the secret column is there');
}
is(sql("SELECT outflow.drop_slot('copy_slot')"), '', 'drop_slot');
$node->stop;
done_testing();
