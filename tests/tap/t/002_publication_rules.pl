#!/usr/bin/perl
# pgoutput's publication rules, with a native subscriber as the oracle: a
# pg_recvlogical consumer (plugin outflow, publication_names with three
# publications) must end with the same rows as a subscriber of the same
# publications, for
#   - a partitioned table published via its root (publish_via_partition_root)
#     with a row filter, a partition whose columns are in another order (and
#     one dropped), rows moving between partitions and across the filter,
#     and a TRUNCATE of the root;
#   - a REPLICA IDENTITY FULL table filtered on a non-key column (old rows
#     decide), with NULLs in the filter column and a generated column (never
#     sent: the subscriber computes its own);
#   - a table with out-of-line (TOAST) values that updates leave untouched,
#     whose column list is narrowed mid-stream (publish_table again);
#   - a table in two publications: row filters OR-ed, and one publication's
#     actions cut to insert for a while (per-action filters: during that
#     window, updates and deletes only pass the other publication's filter).
# Replays the JSON stream in Perl (tests/tap/lib/OutflowTap.pm) and compares
# with the subscriber and with the publisher's filtered, projected rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

# What this test checks is built on row filters and column lists (15 and
# later); before 15, sql/compat_pre15.sql, 006_publication_stream.pl and 009_snapshot_export.pl
# cover following publications.
plan skip_all => 'row filters and column lists need PostgreSQL 15 (this server is ' . server_major() . ')'
  if server_major() < 15;

my %published = (
	'public.parts' => { columns => [qw(id grp v)], filter => 'grp <> 5', key => [qw(id grp)] },
	'public.full_t' => { columns => [qw(id state amount note)], filter => "state = 'active'", key => [qw(id)] },
	# doc is published until the column list is narrowed; compared on (id, n)
	'public.big' => { columns => [qw(id n)], key => [qw(id)] },
	'public.multi' => { columns => [qw(id a b)], filter => 'id % 2 = 0 OR id % 3 = 0', key => [qw(id)] },
);

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init(allows_streaming => 'logical');
$sub->start;

# A stored generated column, never published: in full_t's FULL old rows
# before 18; from 18 on, PostgreSQL refuses UPDATEs of a FULL table whose
# generated column a publication leaves out, so there it is in multi.
my ($full_gen, $multi_gen) = ('', '');
if (server_major() < 18) { $full_gen = ', doubled int GENERATED ALWAYS AS (amount * 2) STORED'; }
else { $multi_gen = ', doubled int GENERATED ALWAYS AS (b * 2) STORED'; }
my $common = qq{
CREATE TABLE full_t (id int PRIMARY KEY, state text, amount int, note text$full_gen);
CREATE TABLE big (id int PRIMARY KEY, n int, doc text, hidden text);
CREATE TABLE multi (id int PRIMARY KEY, a text, b int, hidden text$multi_gen);
};
$pub->safe_psql(
	'postgres', $common . q{
CREATE TABLE parts (id int, grp int NOT NULL, v text, hidden text, PRIMARY KEY (id, grp)) PARTITION BY RANGE (grp);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10);
CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM (10) TO (20);
-- a partition with its own column order and a dropped column
CREATE TABLE parts_3 (junk int, v text, hidden text, grp int NOT NULL, id int NOT NULL);
ALTER TABLE parts_3 DROP COLUMN junk;
ALTER TABLE parts_3 ADD PRIMARY KEY (id, grp);
ALTER TABLE parts ATTACH PARTITION parts_3 FOR VALUES FROM (20) TO (30);
ALTER TABLE full_t REPLICA IDENTITY FULL;
ALTER TABLE big ALTER COLUMN doc SET STORAGE EXTERNAL;
CREATE EXTENSION outflow;
CREATE PUBLICATION pub_p WITH (publish_via_partition_root = true);
});
# the subscriber's parts is a plain table: changes arrive as the root's
$sub->safe_psql('postgres',
	$common . 'CREATE TABLE parts (id int, grp int NOT NULL, v text, hidden text, PRIMARY KEY (id, grp));');

is( $pub->safe_psql(
		'postgres', q{
SELECT outflow.publish_table('pub_p', 'public.parts', '{id,grp,v}', 'grp <> 5');
SELECT outflow.publish_table('pub_a', 'public.full_t', NULL, $$state = 'active'$$);
SELECT outflow.publish_table('pub_a', 'public.big', '{id,n,doc}');
SELECT outflow.publish_table('pub_a', 'public.multi', '{id,a,b}', 'id % 2 = 0');
SELECT outflow.publish_table('pub_b', 'public.multi', '{id,a,b}', 'id % 3 = 0');
}),
	"added\ncreated\nadded\nadded\ncreated",
	'publish_table sets up the three publications');
is( $pub->safe_psql('postgres',
		q{SELECT string_agg(DISTINCT ready::text, ',') FROM (SELECT ready FROM outflow.publication_tables('pub_a')
		  UNION ALL SELECT ready FROM outflow.publication_tables('pub_b') UNION ALL SELECT ready FROM outflow.publication_tables('pub_p')) r}),
	'true', 'publication_tables: every entry ready');

$pub->safe_psql('postgres', "SELECT outflow.create_slot('rules_slot')");
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $recv = start_recvlogical($pub, 'rules_slot', "$tmp/rules.json",
	publication_names => 'pub_a,pub_b,pub_p', 'include-transaction' => 'true');
my $pub_conn = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION s2 CONNECTION '$pub_conn' PUBLICATION pub_a, pub_b, pub_p");
$sub->wait_for_subscription_sync($pub, 's2');

# --- partitions via the root -------------------------------------------------
my $parts_round = q{
INSERT INTO parts SELECT g, g %% 30, 'v' || g, 'hid-den-' || g FROM generate_series(%1$d, %1$d + 199) g;
UPDATE parts SET v = v || '+' WHERE id %% 3 = 0;
UPDATE parts SET grp = grp + 10 WHERE grp < 10 AND id %% 4 = 0;     -- across partitions (5 -> 15: into the filter)
UPDATE parts SET grp = 5 WHERE grp = 12 AND id %% 2 = 0;            -- across partitions, out of the filter
UPDATE parts SET grp = grp + 10 WHERE grp BETWEEN 10 AND 19 AND id %% 8 = 0;  -- into parts_3
UPDATE parts SET v = v || '3' WHERE grp >= 20;
UPDATE parts SET grp = 7 WHERE grp = 3;                             -- key change in one partition
UPDATE parts SET grp = 5 WHERE grp = 6;                             -- in one partition, out of the filter
UPDATE parts SET grp = 4, v = 'back' WHERE grp = 5 AND id %% 2 = 1; -- in one partition, into the filter
DELETE FROM parts WHERE id %% 7 = 0;
};
$pub->safe_psql('postgres', sprintf($parts_round, 1));
$pub->safe_psql('postgres', 'TRUNCATE parts');
$pub->safe_psql('postgres', sprintf($parts_round, 1000));

# --- REPLICA IDENTITY FULL, filter on a non-key column -----------------------
$pub->safe_psql(
	'postgres', q{
INSERT INTO full_t SELECT g, CASE WHEN g % 3 = 0 THEN 'active' WHEN g % 3 = 1 THEN 'idle' END, g, 'note-' || g
FROM generate_series(1, 150) g;
UPDATE full_t SET state = 'active' WHERE id % 5 = 0;        -- idle/NULL -> active: inserts
UPDATE full_t SET state = 'idle' WHERE id % 4 = 0;          -- active -> idle: deletes
UPDATE full_t SET state = NULL WHERE id % 13 = 0;           -- NULL fails the filter
UPDATE full_t SET amount = amount + 1 WHERE id % 2 = 0;
UPDATE full_t SET id = id + 1000 WHERE id % 9 = 0;
UPDATE full_t SET note = NULL WHERE id % 6 = 0;
DELETE FROM full_t WHERE id % 11 = 0;
});

# --- untouched TOAST values, then a narrower column list ---------------------
$pub->safe_psql(
	'postgres', q{
INSERT INTO big SELECT g, g, (SELECT string_agg(md5(g || '-' || i), '') FROM generate_series(1, 100) i), 'hid-den-big'
FROM generate_series(1, 40) g;
UPDATE big SET n = n + 1;
UPDATE big SET doc = 'short ' || id WHERE id % 5 = 0;
UPDATE big SET id = id + 100 WHERE id % 7 = 0;
DELETE FROM big WHERE id % 8 = 0;
});
is($pub->safe_psql('postgres', "SELECT outflow.publish_table('pub_a', 'public.big', '{id,n}')"),
	'updated', 'publish_table narrows the column list');
my $narrowed_at = $pub->lsn('insert');
$pub->safe_psql(
	'postgres', q{
UPDATE big SET n = n * 10, doc = doc || 'x' WHERE id % 2 = 0;
INSERT INTO big VALUES (500, 1, 'late doc', 'hid-den-big');
});

# --- one table in two publications ---------------------------------------------
$pub->safe_psql(
	'postgres', q{
INSERT INTO multi SELECT g, 'a' || g, g, 'hid-den-' || g FROM generate_series(1, 120) g;
UPDATE multi SET b = b + 1 WHERE id % 5 = 0;
UPDATE multi SET id = id + 1001 WHERE id % 10 = 1;   -- odd -> even: into pub_a's filter
UPDATE multi SET id = id + 1003 WHERE id % 10 = 6;   -- even -> odd, not a multiple of 3: out
});
is( $pub->safe_psql('postgres',
		"SELECT outflow.publish_table('pub_b', 'public.multi', '{id,a,b}', 'id % 3 = 0', '{insert}')"),
	'updated', 'publish_table cuts pub_b to inserts');
$pub->safe_psql(
	'postgres', q{
UPDATE multi SET a = a || '!' WHERE id <= 60;   -- odd multiples of 3: in no publication that publishes updates
DELETE FROM multi WHERE id IN (9, 10, 15);      -- 9 and 15: not sent either
INSERT INTO multi VALUES (2001, 'by pub_b', 1, 'hid-den-x');
});
$pub->safe_psql('postgres',
	"SELECT outflow.publish_table('pub_b', 'public.multi', '{id,a,b}', 'id % 3 = 0', '{insert,update,delete,truncate}')");
$pub->safe_psql('postgres', 'UPDATE multi SET b = -b WHERE id % 3 = 0');

# --- compare -------------------------------------------------------------------
my $text = stop_after_heartbeat($pub, $recv);
$pub->wait_for_catchup('s2');
my @changes = decode_lines($text);
note scalar(@changes) . ' changes (with begin/commit)';

my $streamed_doc = replay({}, \@changes, 'stream', \%published);
my $streamed = project($streamed_doc, 'public.big', [qw(id n)]);
my $pub_rows = rows_of($pub, \%published, 1);
my $sub_rows = rows_of($sub, \%published, 0);

same_state($streamed, $sub_rows, 'replayed stream = subscriber, every table');
# multi: the odd multiples of 3 updated or deleted while pub_b published only
# inserts are stale on both consumers, as pgoutput's rules say
my $even = sub { keep_rows($_[0], 'public.multi', sub { num($_[0]{id}) % 2 == 0 }) };
same_state($even->($streamed), $even->($pub_rows), 'replayed stream = publisher (multi: even ids)');
same_state($even->($sub_rows), $even->($pub_rows), 'subscriber = publisher (multi: even ids)');
my %stale = map { num($_->{id}) => $_->{a} } values %{ $streamed->{'public.multi'} };
is(join(',', map { $stale{$_} // 'gone' } 9, 15, 3),
	'a9,a15,a3!', 'multi: 9 and 15, deleted while pub_b published only inserts, stay (unchanged); 3 got its later update');

# big's doc, rebuilt from inserts and updates that left it untouched (only
# odd ids: the even ones were updated after doc left the column list)
my $odd_big = sub { keep_rows(project($_[0], 'public.big', [qw(id n doc)]), 'public.big', sub { num($_[0]{id}) % 2 == 1 && num($_[0]{id}) < 500 }) };
my $sub_doc = rows_of($sub, { 'public.big' => { columns => [qw(id n doc)], key => [qw(id)] } }, 0);
same_state($odd_big->({ 'public.big' => $streamed_doc->{'public.big'} }), $odd_big->($sub_doc),
	'big with doc: replayed stream (untouched values from earlier changes) = subscriber');

# outflow.snapshot() of each publication, together: the publisher's rows
# (parts via its root, generated column left out, big with the narrowed
# list, multi as the union of the two filters); a row in both publications
# must be rendered the same
my (%snap, @snap_diff);
for my $p (qw(pub_a pub_b pub_p))
{
	for my $r (decode_lines($pub->safe_psql('postgres', "SELECT s FROM outflow.snapshot('$p') s")))
	{
		my ($t, $k) = ("$r->{schema}.$r->{table}", encode($r->{key}));
		push @snap_diff, "$p: $t $k differs" if $snap{$t}{$k} && encode($snap{$t}{$k}) ne encode($r->{new});
		$snap{$t}{$k} = $r->{new};
	}
}
is(join("\n", @snap_diff), '', 'snapshot(): a row in two publications is rendered the same');
same_state(\%snap, $pub_rows, 'snapshot() of the three publications = publisher');

# the workload did what it claims
my %seen;
for my $c (@changes)
{
	next unless $c->{table};
	$seen{"$c->{table} $c->{op}"}++;
	$seen{"$c->{table} unchanged"}++ if $c->{unchanged};
	$seen{"$c->{table} old"}++ if $c->{old};
}
ok( $seen{'parts truncate'} && $seen{'parts delete'} && $seen{'parts insert'} && $seen{'big unchanged'}
	  && $seen{'full_t old'} && $seen{'multi delete'},
	'the stream has a truncate of the root, untouched TOAST values, FULL old rows')
  or diag explain \%seen;
is(scalar(grep { $_->{table} && $_->{table} =~ /^parts_/ } @changes), 0, 'partitions are reported as the root');
my @big_late = grep { ($_->{table} // '') eq 'big' && lsn_of($_->{commit_lsn}) > lsn_of($narrowed_at) } @changes;
ok(@big_late > 0, 'big has changes after the narrowing');
is(scalar(grep { my $c = $_; grep { $_ eq 'doc' } keys(%{ $c->{new} || {} }), @{ $c->{unchanged} || [] } } @big_late),
	0, 'after the column list is narrowed, doc is not sent (not even as unchanged)');
unlike($text, qr/hid-den|"hidden"|"doubled"/, 'left-out columns and the generated column never appear');
is(scalar(grep { $_->{op} eq 'begin' } @changes), scalar(grep { $_->{op} eq 'commit' } @changes),
	'begin and commit pair up');

$sub->stop;
$pub->stop;
done_testing();

sub lsn_of { my ($hi, $lo) = split m{/}, $_[0]; return hex($hi) * 2**32 + hex($lo); }
