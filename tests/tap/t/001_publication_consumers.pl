#!/usr/bin/perl
# One publication, three consumers that must agree:
#   - a native subscriber (CREATE SUBSCRIPTION, pgoutput),
#   - a live pg_recvlogical consumer (plugin outflow, publication_names),
#   - an initial copy (outflow.snapshot() under a snapshot exported by a
#     second slot) followed by that slot's stream.
# Everything on the publisher is set up through outflow's SQL API
# (setup_check, publish_table with a column list and a row filter,
# create_slot, snapshot, slots). The workload moves rows into and out of the
# row filter, changes keys, truncates, rolls back, and adds a second table to
# the publication mid-stream. The streams are replayed here, in Perl, from
# the native JSON format (README "The native format"), and compared with the
# subscriber's tables and with the publisher's rows that pass the filter,
# restricted to the published columns. A column left out of the publication
# must appear nowhere in the JSON.
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

# What the publication publishes, and what we compare.
my %published = (
	'public.orders' => {
		columns => [qw(id customer total status placed_at)],
		filter => "status IN ('open', 'paid')",
		key => [qw(id status)],    # REPLICA IDENTITY USING INDEX (id, status)
	},
	'public.customers' => {
		columns => [qw(id name tier)],
		filter => 'id % 5 <> 0',
		key => [qw(id)],
	},
);
# Left out of the publication: these names and values must never be streamed.
my @hidden = qw(secret_note zz-secret tax_ssn ssn-xyz);

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf', "max_slot_wal_keep_size = 1GB\n");
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init(allows_streaming => 'logical');
$sub->start;

my $tables_sql = q{
CREATE TABLE orders (id int PRIMARY KEY, customer text NOT NULL, total numeric(10,2),
	status text NOT NULL, secret_note text, placed_at timestamptz);
CREATE UNIQUE INDEX orders_ident ON orders (id, status);
ALTER TABLE orders REPLICA IDENTITY USING INDEX orders_ident;
CREATE TABLE customers (id int PRIMARY KEY, name text, tier text, tax_ssn text);
};
$pub->safe_psql('postgres', $tables_sql);
$sub->safe_psql('postgres', $tables_sql);

# --- setup through outflow's SQL API ------------------------------------
$pub->safe_psql('postgres', 'CREATE EXTENSION outflow');
my $bad_checks = $pub->safe_psql('postgres',
	q{SELECT string_agg(check_name || ': ' || coalesce(detail, '') || ' / ' || coalesce(hint, ''), E'\n')
	  FROM outflow.setup_check() WHERE ok IS NOT TRUE});
is($bad_checks, '', 'outflow.setup_check() passes on the publisher');

# customers has rows before it is published: they are in neither stream
$pub->safe_psql('postgres',
	q{INSERT INTO customers SELECT g, 'early ' || g, 'gold', 'ssn-xyz-' || g FROM generate_series(1, 10) g});

my $o = $published{'public.orders'};
is( $pub->safe_psql(
		'postgres',
		"SELECT outflow.publish_table('shop', 'public.orders', '{"
		  . join(',', @{ $o->{columns} }) . "}', \$\$$o->{filter}\$\$)"),
	'created',
	'publish_table creates the publication with a column list and a row filter');
is( $pub->safe_psql(
		'postgres',
		"SELECT columns::text, row_filter IS NOT NULL, replica_identity, ready FROM outflow.publication_tables('shop')"),
	'{id,customer,total,status,placed_at}|t|index|t',
	'publication_tables shows the entry');

is($pub->safe_psql('postgres', "SELECT outflow.create_slot('recv_slot', 'shop') IS NOT NULL"),
	't', 'create_slot');
is( $pub->safe_psql('postgres',
		"SELECT plugin, publications FROM outflow.slots WHERE slot_name = 'recv_slot'"),
	'outflow|{shop}',
	'outflow.slots remembers the publication');

# the live consumer, following the publication from the start
my $tmp = PostgreSQL::Test::Utils::tempdir;
my $recv = start_recvlogical($pub, 'recv_slot', "$tmp/recv.json", publication_names => 'shop');

# the native subscriber
my $pub_conn = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres', "CREATE SUBSCRIPTION sub CONNECTION '$pub_conn' PUBLICATION shop");
$sub->wait_for_subscription_sync($pub, 'sub');

# --- the workload --------------------------------------------------------
# One round on ids base+1 .. base+n: inserts across the filter, updates that
# stay in, move in, move out and stay out, key changes, an update of the
# left-out column only, deletes, a savepoint rolled back, a rollback.
sub orders_round
{
	my ($base, $n) = @_;
	my $lo = $base + 1;
	my $hi = $base + $n;
	return qq{
INSERT INTO orders SELECT g, 'customer ' || g, g * 1.25,
	(ARRAY['open', 'paid', 'draft', 'cancelled'])[g % 4 + 1], 'zz-secret-' || g,
	'2026-01-01 00:00+00'::timestamptz + g * interval '1 minute'
FROM generate_series($lo, $hi) g;
UPDATE orders SET total = total + 1 WHERE id BETWEEN $lo AND $hi AND id % 7 = 0;
UPDATE orders SET status = 'paid' WHERE id BETWEEN $lo AND $hi AND status = 'draft' AND id % 3 = 0;
UPDATE orders SET status = 'cancelled' WHERE id BETWEEN $lo AND $hi AND status = 'open' AND id % 4 = 0;
UPDATE orders SET status = 'draft' WHERE id BETWEEN $lo AND $hi AND status = 'cancelled' AND id % 5 = 0;
UPDATE orders SET id = id + 100000 WHERE id BETWEEN $lo AND $lo + 9;
UPDATE orders SET secret_note = 'zz-secret-changed' WHERE id BETWEEN $lo AND $hi AND id % 9 = 0;
BEGIN;
UPDATE orders SET customer = customer || ' (vip)', status = 'open' WHERE id BETWEEN $lo AND $hi AND id % 13 = 0;
DELETE FROM orders WHERE id BETWEEN $lo AND $hi AND id % 11 = 0;
SAVEPOINT s;
INSERT INTO orders VALUES ($hi + 1, 'rolled back', 1, 'open', 'zz-secret-rb', now());
UPDATE orders SET total = -1 WHERE id BETWEEN $lo AND $hi;
ROLLBACK TO s;
UPDATE orders SET total = total * 2 WHERE id BETWEEN $lo AND $hi AND id % 17 = 0;
COMMIT;
BEGIN;
INSERT INTO orders VALUES ($hi + 2, 'never', 1, 'paid', 'zz-secret-never', now());
ROLLBACK;
};
}

$pub->safe_psql('postgres', orders_round(0, 200));
$pub->safe_psql('postgres', 'TRUNCATE orders');
$pub->safe_psql('postgres', orders_round(1000, 300));

# --- initial copy under an exported snapshot (README "Initial copy consistent
# with the stream"), with writes before and during the copy ----------------
my $state_at_slot = rows_of($pub, \%published, 1);
delete $state_at_slot->{'public.customers'};    # not published yet
my ($repl, $slot_name, $slot_lsn, $snapshot_name, $slot_plugin, $repl_err) = export_snapshot($pub, 'snap_slot');
is("$slot_name|$slot_plugin", 'snap_slot|outflow', 'CREATE_REPLICATION_SLOT exports a snapshot')
  or diag $repl_err;

$pub->safe_psql('postgres', orders_round(2000, 100));    # after the slot, before the copy
my $copy = $pub->background_psql('postgres');
$copy->query_safe("BEGIN ISOLATION LEVEL REPEATABLE READ; SET TRANSACTION SNAPSHOT '$snapshot_name';");
$pub->safe_psql('postgres', orders_round(3000, 100));    # while the copy's transaction is open
$pub->safe_psql('postgres', 'UPDATE orders SET status = \'open\', total = 0 WHERE id BETWEEN 1001 AND 1100');
my $snapshot_text = $copy->query_safe("SELECT s FROM outflow.snapshot('shop') s;");
$copy->query_safe('COMMIT;');
$copy->quit;
end_export($repl);
my @snapshot_rows = decode_lines($snapshot_text);
$pub->safe_psql('postgres', orders_round(4000, 100));    # after the copy

# the copy is the state at the slot's creation
my ($copy_state, $not_read) = snapshot_state(@snapshot_rows);
die "snapshot() rows with op @$not_read" if @$not_read;
same_state($copy_state, $state_at_slot, 'snapshot() under the exported snapshot = the rows at the slot\'s start');

# --- ALTER PUBLICATION mid-stream: add customers ---------------------------
my $c = $published{'public.customers'};
is( $pub->safe_psql(
		'postgres',
		"SELECT outflow.publish_table('shop', 'public.customers', '{"
		  . join(',', @{ $c->{columns} }) . "}', \$\$$c->{filter}\$\$)"),
	'added',
	'publish_table adds a second table to the publication');
$sub->safe_psql('postgres', 'ALTER SUBSCRIPTION sub REFRESH PUBLICATION');
$sub->wait_for_subscription_sync($pub, 'sub');
$pub->safe_psql(
	'postgres', q{
INSERT INTO customers SELECT g, 'late ' || g, (ARRAY['gold', 'trial'])[g % 2 + 1], 'ssn-xyz-' || g
FROM generate_series(100, 160) g;
UPDATE customers SET tier = 'platinum' WHERE id >= 100 AND id % 3 = 0;
UPDATE customers SET id = CASE id WHEN 105 THEN 1106 ELSE 1110 END WHERE id IN (105, 106);  -- into and out of the filter (id % 5)
UPDATE customers SET tax_ssn = 'ssn-xyz-new' WHERE id >= 150;
DELETE FROM customers WHERE id >= 100 AND id % 7 = 0;
});
$pub->safe_psql('postgres', orders_round(5000, 100));

# --- everything written: wait for the consumers ----------------------------
my $recv_text = stop_after_heartbeat($pub, $recv);
my $end_lsn = $pub->lsn('insert');
$pub->wait_for_catchup('sub');
my @recv = decode_lines($recv_text);

# README step 3, from SQL: remember the publication, then outflow.peek()
# reads what pg_recvlogical will read
$pub->safe_psql('postgres', "INSERT INTO outflow.slot_publication (slot_name, publications) VALUES ('snap_slot', '{shop}')");
my @snap_peek = decode_lines($pub->safe_psql('postgres', "SELECT change FROM outflow.peek('snap_slot', '$end_lsn')"));
my $snap_text = $pub->pg_recvlogical_upto('postgres', 'snap_slot', $end_lsn,
	$PostgreSQL::Test::Utils::timeout_default, 'publication_names' => 'shop');
my @snap_stream = decode_lines($snap_text);
note sprintf('live stream: %d changes, copy: %d rows, copy slot stream: %d changes',
	scalar @recv, scalar @snapshot_rows, scalar @snap_stream);

# customers: the subscriber copied its early rows when it refreshed; the
# stream has only what was written after the table was added (ids from 100)
sub late { return keep_rows($_[0], 'public.customers', sub { num($_[0]{id}) >= 100 }); }

# --- 1. the three agree -----------------------------------------------------
my %ops;
$ops{ $_->{op} }++ for @recv;
ok($ops{insert} && $ops{update} && $ops{delete} && $ops{truncate} && $ops{message},
	'the live stream has inserts, updates, deletes, a truncate and the heartbeat')
  or diag explain \%ops;
ok((grep { $_->{op} eq 'update' && $_->{old} } @recv), 'the live stream has key-changing updates');

my $pub_rows = rows_of($pub, \%published, 1);
my $sub_rows = rows_of($sub, \%published, 0);
my $streamed = replay({}, \@recv, 'live stream', \%published);
same_state($sub_rows, $pub_rows, 'subscriber = publisher rows in the filter, published columns');
same_state($streamed, late($pub_rows), 'replayed live stream = publisher (customers: rows written after ALTER PUBLICATION)');
same_state($streamed, late($sub_rows), 'replayed live stream = subscriber (customers: rows written after ALTER PUBLICATION)');
ok(scalar(keys %{ $sub_rows->{'public.customers'} }) > scalar(keys %{ $streamed->{'public.customers'} }),
	'the subscriber has the early customers (copied at REFRESH), the stream does not');
is($sub->safe_psql('postgres', 'SELECT count(*) FROM orders WHERE secret_note IS NOT NULL')
	  . '/' . $sub->safe_psql('postgres', 'SELECT count(*) FROM customers WHERE tax_ssn IS NOT NULL'),
	'0/0', 'the subscriber never got a left-out column either');

# --- 2. left-out columns appear nowhere -------------------------------------
for my $h (@hidden)
{
	for my $src ([ 'live stream', $recv_text ], [ 'copy', $snapshot_text ], [ 'copy slot stream', $snap_text ])
	{
		unlike($src->[1], qr/\Q$h\E/, "'$h' never appears in the $src->[0]");
	}
}
like($recv_text, qr/"customer":"customer \d+"/, 'the published columns do appear (the search is not vacuous)');

# --- 3. copy + its slot's stream = the table -------------------------------
my $rebuilt = replay($copy_state, \@snap_stream, 'copy slot stream', \%published);
same_state($rebuilt, late($pub_rows), 'snapshot() + stream of the exporting slot = publisher');
is_deeply([ map { encode($_) } @snap_peek ], [ map { encode($_) } @snap_stream ],
	'outflow.peek() with the remembered publication = pg_recvlogical with publication_names');
# the copy slot's stream is the tail of the live stream, byte for byte
my @recv_lines = grep { /\S/ } split /\n/, $recv_text;
my @snap_lines = grep { /\S/ } split /\n/, $snap_text;
ok(@snap_lines > 0 && @snap_lines < @recv_lines, 'the copy slot streamed a part of what the live slot streamed');
is_deeply([ @recv_lines[ @recv_lines - @snap_lines .. $#recv_lines ] ], \@snap_lines,
	'the copy slot\'s stream is the live stream\'s tail, byte for byte');

# the walsenders of the consumers that stopped release their slots
$pub->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM outflow.slots WHERE slot_name IN ('recv_slot', 'snap_slot') AND active")
  or die 'the outflow slots stay active';
is( $pub->safe_psql('postgres',
		"SELECT string_agg(slot_name || ':' || plugin || ':' || coalesce(array_to_string(publications, '+'), '-'), ',' ORDER BY slot_name) FROM outflow.slots"),
	'recv_slot:outflow:shop,snap_slot:outflow:shop,sub:pgoutput:-',
	'outflow.slots lists the slots, with the remembered publications');
# pg_recvlogical confirms what it has flushed now and then, so the slot
# still holds the last part of what it received: outflow.changes() (with
# the remembered publication) must send exactly that tail again, and then
# the slot is confirmed to the end
my @rest = decode_lines(
  $pub->safe_psql('postgres', "SELECT change FROM outflow.changes('recv_slot')"));
ok(@rest <= @recv, 'outflow.changes() re-sends no more than pg_recvlogical got');
is_deeply([ map { encode($_) } @rest ],
	[ map { encode($_) } @recv[ @recv - @rest .. $#recv ] ],
	sprintf('outflow.changes() re-sends the unconfirmed tail of the live stream (%d changes)', scalar @rest));
is( $pub->safe_psql('postgres',
		"SELECT confirmed_flush_lsn >= '$end_lsn' AND lag_bytes IS NOT NULL FROM outflow.slots WHERE slot_name = 'recv_slot'"),
	't', 'outflow.slots: recv_slot confirmed to the end after outflow.changes()');

$sub->stop;
$pub->stop;
done_testing();
