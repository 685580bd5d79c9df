#!/usr/bin/perl
# The whole transaction life cycle in the native format: a live
# pg_recvlogical consumer with stream-changes and include-relations on a
# two-phase slot, against a native subscriber with streaming = on and
# two_phase = on on the same publication.
#
# logical_decoding_work_mem = 64kB (and, on 16+,
# debug_logical_replication_streaming = immediate) makes large transactions
# stream while they run. The workload: a large transaction with savepoints
# rolled back while small transactions commit, DDL between its changes; a
# streamed transaction rolled back after its first blocks were sent;
# prepared transactions (small and streamed) committed and rolled back; DDL
# between changes of small transactions.
#
# The consumer below applies the stream by README's rules: it creates its
# target tables from relation records, buffers stream blocks per xid, drops
# what stream_abort names, applies at stream_commit, keeps prepared
# transactions until commit_prepared or rollback_prepared. Its tables must
# equal the publisher's and the subscriber's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(usleep);
use OutflowTap;

# Two-phase decoding at PREPARE is 15+ (streaming 14+).
my ($major) = `postgres --version` =~ /\(PostgreSQL\) (\d+)/;
plan skip_all => "two-phase decoding needs PostgreSQL 15 (this server is $major)" if $major < 15;

my %published = (
	'public.t_big' => { columns => [qw(id v n extra)], key => [qw(id)] },
	'public.t_small' => { columns => [qw(id v)], key => [qw(id)] },
	'public.t_ddl' => { columns => [qw(id a b)], key => [qw(id)] },
);

my $pub = PostgreSQL::Test::Cluster->new('publisher');
$pub->init(allows_streaming => 'logical');
$pub->append_conf('postgresql.conf', "logical_decoding_work_mem = 64kB\nmax_prepared_transactions = 10\n");
$pub->append_conf('postgresql.conf', "debug_logical_replication_streaming = immediate\n")
  if $pub->pg_version >= 16;
$pub->start;
my $sub = PostgreSQL::Test::Cluster->new('subscriber');
$sub->init(allows_streaming => 'logical');
$sub->append_conf('postgresql.conf', "max_prepared_transactions = 10\n");
$sub->start;

# the publisher's tables get their last columns by DDL during the workload;
# the subscriber has them from the start (a native subscriber needs them)
$pub->safe_psql('postgres', q{
CREATE TABLE t_big (id int PRIMARY KEY, v text, n numeric(10,2));
CREATE TABLE t_small (id int PRIMARY KEY, v text);
CREATE TABLE t_ddl (id int PRIMARY KEY, a int, gone text);
CREATE PUBLICATION pub FOR TABLE t_big, t_small, t_ddl;
CREATE EXTENSION outflow;});
$sub->safe_psql('postgres', q{
CREATE TABLE t_big (id int PRIMARY KEY, v text, n numeric(10,2), extra int);
CREATE TABLE t_small (id int PRIMARY KEY, v text);
CREATE TABLE t_ddl (id int PRIMARY KEY, a int, gone text, b text);});

is($pub->safe_psql('postgres', q{SELECT outflow.create_slot('of_slot', 'pub', two_phase => true) IS NOT NULL}),
	't', 'create_slot(two_phase => true)');
is($pub->safe_psql('postgres', q{SELECT two_phase FROM pg_replication_slots WHERE slot_name = 'of_slot'}),
	't', 'the slot has two-phase decoding');

my $tmp = PostgreSQL::Test::Utils::tempdir;
my $file = "$tmp/stream.json";
my $recv = start_recvlogical($pub, 'of_slot', $file,
	'publication_names' => 'pub', 'stream-changes' => 'on', 'include-relations' => 'on');

my $pub_conn = $pub->connstr . ' dbname=postgres';
$sub->safe_psql('postgres',
	"CREATE SUBSCRIPTION sub CONNECTION '$pub_conn' PUBLICATION pub WITH (streaming = on, two_phase = on)");
$sub->wait_for_subscription_sync($pub, 'sub');

# --- sessions that keep a transaction open -----------------------------
my $marker = 0;

# A psql session fed statement by statement.
sub session_start
{
	my $s = { in => '', out => '', err => '' };
	$s->{h} = IPC::Run::start([ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $pub->connstr('postgres') ],
		'<', \$s->{in}, '>', \$s->{out}, '2>', \$s->{err});
	return $s;
}

# Runs $sql in the session, waits until it has finished, returns its output.
sub session_do
{
	my ($s, $sql) = @_;
	$marker++;
	$s->{out} = '';
	$s->{in} .= "$sql\n\\echo done-$marker\n";
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until ($s->{out} =~ /done-$marker\n/)
	{
		$s->{h}->pump_nb;
		die "session failed: $s->{err}" if time > $deadline || !$s->{h}->pumpable;
		usleep(10_000);
	}
	(my $out = $s->{out}) =~ s/done-$marker\n//;
	chomp $out;
	return $out;
}

# Waits until the consumer's file has a line matching $re (the walsender
# decodes only flushed WAL: a flush nudges it).
sub wait_for_line
{
	my ($re, $what) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until (-e $file && slurp_file($file) =~ $re)
	{
		$recv->{run}->pump_nb;
		return fail("$what: never arrived") if time > $deadline || !$recv->{run}->pumpable;
		usleep(100_000);
	}
	return pass($what);
}

sub small_txns
{
	my ($from, $n) = @_;
	$pub->safe_psql('postgres', "INSERT INTO t_small VALUES ($_, 'small $_')") for $from .. $from + $n - 1;
}

# --- 1. a large transaction with savepoints, small ones committing meanwhile
# (the slot's statistics from here: the streamed transactions of 1 and 2)
$pub->safe_psql('postgres', q{SELECT pg_stat_reset_replication_slot('of_slot')});
my $a = session_start();
session_do($a, 'BEGIN;');
my $xa = session_do($a, 'SELECT txid_current();');
session_do($a, q{INSERT INTO t_big SELECT g, repeat('a', 60), g / 4.0 FROM generate_series(1, 4000) g;});
wait_for_line(qr/\{"op":"stream_start","xid":$xa,"first_segment":true/,
	'the large transaction\'s first block arrives before its commit');
small_txns(1, 5);
session_do($a, q{
SAVEPOINT s1;
INSERT INTO t_big SELECT g, 'rolled back', 0 FROM generate_series(100001, 103000) g;
UPDATE t_big SET v = 'rolled back too' WHERE id <= 100;
ROLLBACK TO SAVEPOINT s1;
UPDATE t_big SET v = 'updated', n = n + 1 WHERE id % 10 = 0;
SAVEPOINT s2;
DELETE FROM t_big WHERE id % 7 = 0;
SAVEPOINT s3;
INSERT INTO t_big SELECT g, 'nested, rolled back', 1 FROM generate_series(200001, 201000) g;
ROLLBACK TO SAVEPOINT s3;
RELEASE SAVEPOINT s2;
ALTER TABLE t_big ADD COLUMN extra int;
INSERT INTO t_big SELECT g, 'after DDL', 2, g FROM generate_series(300001, 301500) g;
UPDATE t_big SET extra = -1 WHERE id BETWEEN 1 AND 50;});
small_txns(6, 5);
session_do($a, 'COMMIT;');

# --- 2. a streamed transaction rolled back after its first blocks were sent
session_do($a, 'BEGIN;');
my $xb = session_do($a, 'SELECT txid_current();');
session_do($a, q{INSERT INTO t_big SELECT g, 'never', 0 FROM generate_series(400001, 404000) g;});
wait_for_line(qr/\{"op":"stream_start","xid":$xb,/, 'the transaction to be rolled back was streamed');
small_txns(11, 2);
session_do($a, 'ROLLBACK;');
wait_for_line(qr/\{"op":"stream_abort","xid":$xb,"abort_lsn"/, 'its rollback arrives as stream_abort');

# streamed, not spilled
$pub->poll_query_until('postgres',
	q{SELECT stream_txns >= 2 FROM pg_stat_replication_slots WHERE slot_name = 'of_slot'})
  or fail('pg_stat_replication_slots never showed the streamed transactions');
is( $pub->safe_psql('postgres',
		q{SELECT stream_txns >= 2, stream_bytes > 500000, spill_txns, spill_bytes FROM pg_stat_replication_slots WHERE slot_name = 'of_slot'}),
	't|t|0|0',
	'pg_stat_replication_slots: the large transactions streamed, nothing spilled');

# --- 3. prepared transactions, small and streamed, committed and rolled back
$pub->safe_psql('postgres', q{
BEGIN; INSERT INTO t_small VALUES (100, 'prepared, committed'); PREPARE TRANSACTION 'p_small_commit';
BEGIN; UPDATE t_small SET v = 'prepared, rolled back' WHERE id = 1; PREPARE TRANSACTION 'p_small_rollback';
BEGIN; INSERT INTO t_big SELECT g, 'prepared big', 3, g FROM generate_series(500001, 503000) g;
  PREPARE TRANSACTION 'p_big_commit';
BEGIN; DELETE FROM t_big WHERE id BETWEEN 300001 AND 301500; PREPARE TRANSACTION 'p_big_rollback';});
small_txns(13, 2);
$pub->safe_psql('postgres', q{
COMMIT PREPARED 'p_small_commit'; ROLLBACK PREPARED 'p_small_rollback';
COMMIT PREPARED 'p_big_commit'; ROLLBACK PREPARED 'p_big_rollback';});

# --- 4. DDL between the changes of small transactions (the subscriber's
# table follows once it has applied the rows with the column it drops)
$pub->safe_psql('postgres', q{
INSERT INTO t_ddl SELECT g, g, 'gone ' || g FROM generate_series(1, 20) g;
ALTER TABLE t_ddl ADD COLUMN b text;
UPDATE t_ddl SET b = 'b ' || id WHERE id % 2 = 0;});
$pub->wait_for_catchup('sub');
$sub->safe_psql('postgres', 'ALTER TABLE t_ddl DROP COLUMN gone; ALTER TABLE t_ddl ALTER COLUMN a TYPE bigint;');
$pub->safe_psql('postgres', q{
ALTER TABLE t_ddl DROP COLUMN gone;
INSERT INTO t_ddl VALUES (21, 21, 'twenty-one');
BEGIN;
DELETE FROM t_ddl WHERE id = 3;
ALTER TABLE t_ddl ALTER COLUMN a TYPE bigint;
UPDATE t_ddl SET a = a * 1000000000 WHERE id = 4;
COMMIT;});
$pub->safe_psql('postgres', q{UPDATE t_ddl SET b = 'last' WHERE id = 5;});

# --- the stream, applied by its rules ------------------------------------
$pub->wait_for_catchup('sub');
my @lines = grep { /\S/ } split /\n/, stop_after_heartbeat($pub, $recv);
my ($applied, $errors, $seen, $relations) = consume(\@lines);
is(join("\n", @$errors[ 0 .. ($#$errors < 9 ? $#$errors : 9) ]), '', 'the stream follows its rules');
ok($seen->{stream_start} && $seen->{stream_commit} && $seen->{'stream_abort subxid'} && $seen->{'stream_abort xid'},
	'stream blocks, stream_commit, stream_abort of a subtransaction and of a transaction');
ok($seen->{prepare} || $seen->{stream_prepare}, 'prepare records');
ok($seen->{stream_prepare}, 'a streamed prepared transaction ends with stream_prepare');
ok($seen->{commit_prepared} && $seen->{rollback_prepared}, 'commit_prepared and rollback_prepared');
ok($seen->{'stream_abort xid'} && $seen->{"aborted $xb"}, "the rolled-back transaction $xb ends with stream_abort");
ok(!$seen->{"applied $xb"}, 'nothing of it is applied');

my $state = replay({}, $applied, 'the applied stream', \%published);
$state = as_target_tables($state, $relations);
my $pub_rows = rows_of($pub, \%published);
my $sub_rows = rows_of($sub, \%published);
same_state($sub_rows, $pub_rows, 'native subscriber (streaming, two_phase) = publisher');
same_state($state, $pub_rows, 'tables rebuilt from the native stream = publisher');
same_state($state, $sub_rows, 'tables rebuilt from the native stream = native subscriber');

# the target tables' columns, from the relation records, are the publisher's
for my $t (sort keys %published)
{
	my ($rel) = $t =~ /\.(.*)/;
	my $want = $pub->safe_psql('postgres', qq{
SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum)
FROM pg_attribute WHERE attrelid = '$rel'::regclass AND attnum > 0 AND NOT attisdropped});
	my $got = join ', ', map { "$_->{name} $_->{type}" } @{ $relations->{$t}{columns} || [] };
	is($got, $want, "relation record of $t: the publisher's columns and types");
}

# what spilled over the whole run (on 16+ debug_logical_replication_streaming
# = immediate spills the few changes of transactions that cannot stream yet)
note $pub->safe_psql('postgres',
	q{SELECT format('whole run: %s streamed (%s bytes), %s spilled (%s bytes)', stream_txns, stream_bytes, spill_txns, spill_bytes)
	  FROM pg_stat_replication_slots WHERE slot_name = 'of_slot'});

done_testing();

# --- the consumer ----------------------------------------------------------

# Applies the stream's lines by README's rules. Returns the row changes in
# the order a target applies them, the rule violations, what it saw, and the
# last relation record of each table (its target table).
sub consume
{
	my ($lines) = @_;
	my (@applied, @errors, %seen, %relation, %stream, %prepared, %staged, %applied_commit);
	my $err = sub { push @errors, $_[0] };
	for my $line (@$lines)
	{
		my $c = decode_exact($line);
		my $op = $c->{op};
		my $xid = defined $c->{xid} ? num($c->{xid}) : '';
		$seen{$op}++;
		if ($op eq 'relation')
		{
			$relation{"$c->{schema}.$c->{table}"} = $c;
		}
		elsif ($op =~ /^(insert|update|delete|truncate|message)$/)
		{
			next if $op eq 'message' && !$c->{transactional};
			check_relation($c, \%relation, $err) unless $op eq 'message';
			if (exists $c->{commit_lsn}) { push @applied, $c unless $op eq 'message'; $seen{"applied $xid"}++; }
			elsif (exists $c->{gid}) { push @{ $staged{ $c->{gid} } }, $c; }
			elsif ($stream{$xid}{open}) { push @{ $stream{$xid}{changes} }, $c; }
			else { $err->("a change outside any transaction: $line"); }
		}
		elsif ($op eq 'stream_start')
		{
			$err->("stream_start of $xid inside a block") if grep { $_->{open} } values %stream;
			$stream{$xid}{changes} = [] if $c->{first_segment};
			$err->("first block of $xid without first_segment") unless $stream{$xid}{changes};
			$stream{$xid}{open} = 1;
		}
		elsif ($op eq 'stream_stop')
		{
			$err->("stream_stop of $xid without stream_start") unless $stream{$xid}{open};
			$stream{$xid}{open} = 0;
		}
		elsif ($op eq 'stream_abort')
		{
			if (defined $c->{subxid})
			{
				$seen{'stream_abort subxid'}++;
				my $sub = num($c->{subxid});
				$stream{$xid}{changes} = [ grep { !defined $_->{subxid} || num($_->{subxid}) ne $sub } @{ $stream{$xid}{changes} || [] } ];
			}
			else
			{
				$seen{'stream_abort xid'}++;
				$seen{"aborted $xid"}++;
				delete $stream{$xid};
			}
		}
		elsif ($op eq 'stream_commit' || $op eq 'stream_prepare')
		{
			my $s = delete $stream{$xid} || { changes => [] };
			my @changes = @{ $s->{changes} };
			$err->("$op of $xid: changes is " . num($c->{changes}) . ", " . scalar(@changes) . " kept")
			  if num($c->{changes}) != @changes;
			if ($op eq 'stream_prepare') { $prepared{ $c->{gid} } = \@changes; next; }
			$err->("transaction $c->{commit_lsn} applied twice") if $applied_commit{ $c->{commit_lsn} }++;
			push @applied, grep { $_->{op} ne 'message' } @changes;
			$seen{"applied $xid"}++ if @changes;
		}
		elsif ($op eq 'prepare')
		{
			my @changes = @{ delete $staged{ $c->{gid} } || [] };
			$err->("prepare $c->{gid}: changes is " . num($c->{changes}) . ", got " . scalar(@changes))
			  if num($c->{changes}) != @changes;
			$prepared{ $c->{gid} } = \@changes;
		}
		elsif ($op eq 'commit_prepared')
		{
			my $changes = delete $prepared{ $c->{gid} };
			$err->("commit_prepared of unknown $c->{gid}") unless $changes;
			push @applied, grep { $_->{op} ne 'message' } @{ $changes || [] };
		}
		elsif ($op eq 'rollback_prepared')
		{
			delete $prepared{ $c->{gid} };
		}
		elsif ($op ne 'begin' && $op ne 'commit' && $op ne 'begin_prepare')
		{
			$err->("unknown op: $line");
		}
	}
	$err->("streams never ended: " . join(' ', sort keys %stream)) if %stream;
	$err->("prepared transactions never resolved: " . join(' ', sort keys %prepared)) if %prepared;
	return (\@applied, \@errors, \%seen, \%relation);
}

# A change must follow a relation record of its table that names every
# column it carries.
sub check_relation
{
	my ($c, $relation, $err) = @_;
	my $t = "$c->{schema}.$c->{table}";
	my $rel = $relation->{$t};
	return $err->("a change of $t before any relation record") unless $rel;
	my %cols = map { $_->{name} => 1 } @{ $rel->{columns} };
	for my $image (qw(key old new))
	{
		next unless $c->{$image};
		$err->("$t: column $_ of $image is not in the relation record") for grep { !$cols{$_} } sort keys %{ $c->{$image} };
	}
	my @keys = sort map { $_->{name} } grep { $_->{key} } @{ $rel->{columns} };
	$err->("$t: key columns differ from the relation record's")
	  if $c->{key} && join(',', sort keys %{ $c->{key} }) ne join(',', @keys);
}

# The rows as the consumer's target tables hold them: the columns of the
# table's last relation record, NULL where a row was written before a
# column existed.
sub as_target_tables
{
	my ($state, $relations) = @_;
	my %out;
	for my $t (keys %$state)
	{
		my @cols = map { $_->{name} } @{ $relations->{$t}{columns} || [] };
		for my $k (keys %{ $state->{$t} })
		{
			my $row = $state->{$t}{$k};
			$out{$t}{$k} = { map { $_ => $row->{$_} } @cols };
		}
	}
	return \%out;
}
