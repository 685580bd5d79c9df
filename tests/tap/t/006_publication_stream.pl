#!/usr/bin/perl
# publication_names over the replication protocol, with a live consumer, on
# every major: a pg_recvlogical session follows publication ps while a writer
# changes rows and alters the publication (ADD/DROP TABLE, publish actions,
# from 15 on a column list and a row filter). The walsender keeps its caches
# across all of it, so this checks that invalidation reaches them at the
# right points: the live stream must equal, byte for byte, what an SQL read
# of a second slot (created at the same point) gives for the same option,
# with the counts the publication's rules give, and the unpublished column
# never appears. (001_publication_consumers.pl compares with a native
# subscriber, from 15 on.)
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);
use OutflowTap;

my ($node, $dir) = logical_node('pubstream');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Column lists and row filters exist from 15: before, whole rows of every row.
my $lists = server_major() >= 15;
my ($b_cols, $a_cols) = $lists ? ('(id)', '(id, n) WHERE (id % 2 = 0)') : ('', '');

sql("CREATE TABLE ps_a (id int PRIMARY KEY, n int, secret text);
	 CREATE TABLE ps_b (id int PRIMARY KEY, secret text);
	 CREATE TABLE ps_done (id int PRIMARY KEY);
	 CREATE PUBLICATION ps FOR TABLE ps_b $b_cols, ps_done");
my ($out, $err) = ('', '');
IPC::Run::run([ 'pg_recvlogical', '-d', $node->connstr('postgres'), '--slot', 'live', '--create-slot', '-P', 'outflow' ],
	'>', \$out, '2>', \$err)
  or die "pg_recvlogical --create-slot: $err";
sql("SELECT 'init' FROM pg_create_logical_replication_slot('sql', 'outflow')");
my $file = "$dir/live.json";
my $live = start_recvlogical($node, 'live', $file, publication_names => 'ps');

# the writer: rows and publication changes interleaved, some in one transaction
my $writes = '';
for my $round (1 .. 20)
{
	my $base = $round * 100;
	$writes .= "
INSERT INTO ps_a VALUES ($base, $round, 'secret'), ($base + 1, $round, 'secret');
INSERT INTO ps_b VALUES ($base, 'secret');
ALTER PUBLICATION ps ADD TABLE ps_a $a_cols;
UPDATE ps_a SET n = n + 1 WHERE id IN ($base, $base + 1);
BEGIN;
INSERT INTO ps_a VALUES ($base + 2, $round, 'secret');
ALTER PUBLICATION ps SET (publish = 'insert');
UPDATE ps_a SET n = n + 1000 WHERE id = $base + 2;
INSERT INTO ps_a VALUES ($base + 4, $round, 'secret'), ($base + 5, $round, 'secret');
COMMIT;
ALTER PUBLICATION ps SET (publish = 'insert, update, delete, truncate');
ALTER PUBLICATION ps DROP TABLE ps_a;
DELETE FROM ps_a WHERE id = $base + 4;
DELETE FROM ps_b WHERE id = $base;
";
}
sql($writes);
sql("INSERT INTO ps_done VALUES (1)");

# wait for the last row, then stop the consumer
my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
until (-e $file && slurp_file($file) =~ /"table":"ps_done"/)
{
	$live->{run}->pump_nb;
	die "the live consumer never got the last row: $live->{stderr}" if time > $deadline || !$live->{run}->pumpable;
	usleep(100_000);
}
stop_recvlogical($live);
my $got = slurp_file($file);
my $want = sql("SELECT data FROM pg_logical_slot_get_changes('sql', NULL, NULL, 'publication_names', 'ps')") . "\n";
my @lines = split /\n/, $got;
is($got, $want, 'the live stream equals the SQL read of a slot created at the same point (' . scalar(@lines) . ' lines)');

# Counts of op on table in the live stream.
sub count
{
	my ($op, $table) = @_;
	return scalar grep { /"op":"$op","schema":"public","table":"$table"/ } @lines;
}
my (%wants, $total);
if ($lists)
{
	# per round: ps_b insert and delete; ps_a (even ids, while in the publication):
	# the update of base, the inserts of base+2 and base+4 (not the update between)
	is(scalar(grep { /secret/ } @lines), 0, 'the column left out of the lists appears nowhere');
	%wants = (insert_ps_b => 20, delete_ps_b => 20, insert_ps_a => 40, update_ps_a => 20, delete_ps_a => 0, insert_ps_done => 1);
	$total = 101;
}
else
{
	# whole rows; ps_a while in the publication: the updates of base and
	# base+1, the inserts of base+2, base+4 and base+5 (not the update between)
	is(scalar(grep { /secret/ } @lines), 120, 'whole rows: secret in the 120 inserts and updates');
	%wants = (insert_ps_b => 20, delete_ps_b => 20, insert_ps_a => 60, update_ps_a => 40, delete_ps_a => 0, insert_ps_done => 1);
	$total = 141;
}
for my $w (sort keys %wants)
{
	my ($op, $table) = split /_/, $w, 2;
	is(count($op, $table), $wants{$w}, "$wants{$w} ${op}s of $table");
}
is(scalar(@lines), $total, "$total changes in all");

$node->stop;
done_testing();
