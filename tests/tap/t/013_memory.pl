#!/usr/bin/perl
# Memory does not grow with the number of changes decoded.
#
# SQL: the same slot is peeked up to the position after N changes and up to
# the position after 10 N changes, each in a fresh backend, in every format
# and with a publication (row filter and column list from 15 on). The
# backend's peak resident memory (VmHWM, read from /proc/self/status through
# pg_read_file) after the call may differ by at most $bound_kb: a leak of 16
# bytes per change (9 N = 135000 more changes) would exceed it. work_mem is
# small so that the result tuplestore spills instead of growing in memory.
#
# Replication protocol: one pg_recvlogical consumer streams N changes, then
# 9 N more; its walsender's RssAnon (private memory, kept by malloc when
# freed) once caught up may grow by at most $bound_kb between the two.
#
# The bound is loose on purpose: it is not a benchmark. No timing is asserted.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

my $n = 15000;    # changes in the small read; the large one has 10 N
my $bound_kb = $ENV{BOUND_KB} // 2048;

# shared_buffers small (shared pages a backend touches count in its VmHWM),
# but not the 1MB PostgreSQL::Test::Cluster gives a streaming node
my ($node, $dir) = logical_node('memory', "shared_buffers = 16MB\nwal_sender_timeout = 0\n");

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Batches $first .. $first + $count - 1, each 500 inserts and 250 updates in
# one transaction (750 changes).
sub write_batches
{
	my ($first, $count) = @_;
	my $script = '';
	for my $b ($first .. $first + $count - 1)
	{
		$script .= "BEGIN;
INSERT INTO m SELECT g, md5(g::text), g * 1.5, jsonb_build_object('k', g, 'a', array[g, g]), array[g, g + 1], '2026-01-01'::timestamptz + g * interval '1 s',
    CASE WHEN g % 50 = 0 THEN repeat('t', 3000) END
  FROM generate_series($b * 500 + 1, $b * 500 + 500) g;
UPDATE m SET v = 'u' WHERE id BETWEEN $b * 500 + 1 AND $b * 500 + 250;
COMMIT;\n";
	}
	sql($script);
}

my $lists = server_major() >= 15 ? '(id, v, n, j, big) WHERE (id % 3 <> 0)' : '';
sql("CREATE TABLE m (id int PRIMARY KEY, v text, n numeric, j jsonb, a int[], t timestamptz, big text);
     ALTER TABLE m ALTER big SET STORAGE EXTERNAL;
     CREATE PUBLICATION mp FOR TABLE m $lists");
sql("SELECT pg_create_logical_replication_slot('sql_slot', 'outflow')");
sql("SELECT pg_create_logical_replication_slot('recv_slot', 'outflow')");

# --- the walsender of one consumer, after N and after 10 N changes
my $h = start_recvlogical($node, 'recv_slot', "$dir/stream.json", 'include-transaction' => 'on');
write_batches(0, $n / 750);
my $lsn1 = sql("SELECT pg_current_wal_lsn()");
wait_confirmed($node, $h, 'recv_slot', $lsn1);
my $recv1 = walsender_kb($node, 'recv_slot', 'RssAnon');
write_batches($n / 750, 9 * $n / 750);
my $lsn2 = sql("SELECT pg_current_wal_lsn()");
wait_confirmed($node, $h, 'recv_slot', $lsn2);
my $recv2 = walsender_kb($node, 'recv_slot', 'RssAnon');
stop_recvlogical($h);

# Asserts that $what grew by at most $bound_kb from $small to $large kB.
sub bounded
{
	my ($what, $small, $large) = @_;
	my $grow = $large - $small;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	cmp_ok($grow, '<=', $bound_kb, "$what: $small kB -> $large kB ($grow kB, at most $bound_kb)");
}
bounded('pg_recvlogical walsender RssAnon from N to 10 N changes', $recv1, $recv2);

# (rows, VmHWM in kB) of a fresh backend that peeks sql_slot up to $upto
# with the plugin options @opts.
sub peek_peak
{
	my ($upto, @opts) = @_;
	my $o = join '', map { ", '$_'" } @opts;
	my ($rows, $kb) = split /\n/, sql("SET work_mem = '64kB';
SELECT count(*) FROM pg_logical_slot_peek_changes('sql_slot', '$upto', NULL$o);
SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+) kB');");
	die "peek_peak: no row count or VmHWM read (rows '$rows', VmHWM '$kb')"
	  unless defined $kb && $rows =~ /^\d+$/ && $kb =~ /^\d+$/;
	return ($rows, $kb);
}
for my $opts ('', 'format-version 1', 'format-version 2 include-xids on include-pk on', 'publication_names mp',
	'actions update numeric-data-types-as-string on', 'unchanged-toast marker')
{
	my @opts = split ' ', $opts;
	my ($rows1, $kb1) = peek_peak($lsn1, @opts);
	my ($rows2, $kb2) = peek_peak($lsn2, @opts);
	my $what = $opts eq '' ? 'native' : $opts;
	cmp_ok($rows2, '>', $rows1, "SQL peek ($what): the large read has more rows ($rows2) than the small one ($rows1)");
	bounded("SQL peek VmHWM ($what) from N to 10 N changes", $kb1, $kb2);
}

$node->stop;
done_testing();
