#!/usr/bin/perl
# One large value must not block a slot (issue 12, part 4).
#
# 200 MB of chr(1) is 1.2 GB of JSON (each byte escaped to \u0001): past the
# 1 GB PostgreSQL can send as one output row. Before, every read of the slot
# failed at that change ("Cannot enlarge string buffer") for ever. Now the
# value is left out and named in "oversized", a WARNING in the server log
# names table, key and column, and the changes after it arrive. 150 MB of
# 'a' (150 MB of JSON) is sent whole. Both through SQL and pg_recvlogical;
# the peak memory (VmHWM) of the decoding backend and of the walsender
# stays under $bound_mb. The wal2json formats keep wal2json's ERROR unless
# max-value-bytes is given, with a HINT that names the option, table and
# column. A 200 MB logical message has its content left out the same way.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

my $big = 200 * 1024 * 1024;    # chr(1): 6 bytes of JSON each
my $fit = 150 * 1024 * 1024;    # 'a': 1 byte of JSON each
my $bound_mb = $ENV{BOUND_MB} // 700;
my $warning = 'left out the value of column "v" of table "public"."big" with key {"id":1}';

# shared_buffers as the server's default (the test modules give a logical
# node 1MB): the peaks below count the shared pages a process touched.
my ($node, $dir) = logical_node('oversized',
	"wal_sender_timeout = 0\nlogical_decoding_work_mem = 64MB\nshared_buffers = 128MB\n");

# psql on $node: (stdout, stderr); dies if the SQL fails.
sub run_sql
{
	my ($sql) = @_;
	my ($ret, $out, $err) = $node->psql('postgres', $sql);
	die "psql failed ($ret): $sql\n$err" if $ret != 0;
	return ($out, $err);
}

# The output of $sql on $node; dies if it fails.
sub sql { return (run_sql(@_))[0]; }

sql("CREATE TABLE big (id int PRIMARY KEY, v text)");
sql("SELECT pg_create_logical_replication_slot('sql_slot', 'outflow')");
sql("SELECT pg_create_logical_replication_slot('recv_slot', 'outflow')");
sql("INSERT INTO big VALUES (1, repeat(chr(1), $big))");
sql("INSERT INTO big VALUES (2, 'after')");
my $lsn_big = sql("SELECT pg_current_wal_lsn()");
sql("INSERT INTO big VALUES (3, repeat('a', $fit))");
sql("INSERT INTO big VALUES (4, 'last')");
my $lsn_end = sql("SELECT pg_current_wal_lsn()");

# --- SQL: the 200 MB change alone, in a fresh backend, with its peak memory
{
	my ($out, $err) = run_sql(qq{
SELECT (data::json->'key'->>'id') || ' ' || coalesce(data::json->>'oversized', '-') || ' ' || (data::jsonb->'new' ? 'v')::text
  FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL);
SELECT 'peak ' || substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\\s*(\\d+) kB');});
	note $out;
	my ($peak_kb) = $out =~ /^peak (\d+)$/m;
	is(join("\n", grep { !/^peak / } split /\n/, $out), qq{1 ["v"] false\n2 - true},
		'SQL: 200 MB of chr(1) left out, named in oversized; the next change arrives');
	ok(defined $peak_kb && $peak_kb < $bound_mb * 1024,
		sprintf('SQL: the backend peak (%d MB) stays under %d MB', ($peak_kb // 0) / 1024, $bound_mb));
	like($err, qr/WARNING:  outflow: \Q$warning\E/, 'SQL: the client gets the WARNING');
}

# --- SQL: everything, the 150 MB value sent whole
is( sql(qq{
SELECT (data::json->'key'->>'id') || ' ' || coalesce(data::json->>'oversized', '-') || ' ' ||
       CASE WHEN length(data) < 1000 THEN coalesce(data::json->'new'->>'v', '(none)')
            ELSE (substr(data, strpos(data, '"v":"') + 5, $fit) = repeat('a', $fit)
                  AND length(data) = strpos(data, '"v":"') + $fit + 7)::text END
  FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL)}),
	qq{1 ["v"] (none)\n2 - after\n3 - true\n4 - last},
	"SQL: 150 MB of 'a' sent whole, the changes around it arrive");

# --- wal2json formats: an ERROR naming the option, table and column; with the option, left out
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT count(*) FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL, 'format-version', '2')");
	ok( $ret != 0
		  && $err =~ /ERROR:  outflow: the value of column "v" of table "public"."big" with key \{"id":1\} is too large to send/
		  && $err =~ /HINT:  Set option max-value-bytes .* column "v" of table "public"."big"/,
		'wal2json format 2 without max-value-bytes: ERROR with the hint') or diag "exit $ret: $err";
}
for my $v (1, 2)
{
	is( sql(qq{
SELECT string_agg(coalesce(data::json->>'oversized', data::json#>>'{change,0,oversized}', '-'), ' ')
  FROM pg_logical_slot_peek_changes('sql_slot', '$lsn_big', NULL, 'format-version', '$v',
       'max-value-bytes', '1000000000', 'include-transaction', 'off')}),
		'["v"] -', "wal2json format $v with max-value-bytes: left out, named");
}

# --- pg_recvlogical: the same stream over the replication protocol
{
	my $stream = "$dir/stream.json";
	my $h = start_recvlogical($node, 'recv_slot', $stream);
	wait_confirmed($node, $h, 'recv_slot', $lsn_end);
	my $wal_kb = walsender_kb($node, 'recv_slot', 'VmHWM');
	stop_recvlogical($h);
	cmp_ok($wal_kb, '<', $bound_mb * 1024, sprintf('the walsender peak (%d MB) stays under %d MB', $wal_kb / 1024, $bound_mb));
	my @shown;
	for my $line (split /\n/, slurp_file($stream))
	{
		# the run of a's of a long value stands for itself, measured (JSON::PP
		# would take minutes over 150 MB)
		$line =~ s/:"(a{1000,})"/':"#a*' . length($1) . '"'/e if length($line) > 1_000_000;
		my $c = decode_exact($line);
		my $v = $c->{new}{v};
		my $value = !defined $v ? '(none)' : $v eq "#a*$fit" ? 'whole' : length($v) < 100 ? $v : 'cut';
		push @shown, join ' ', num($c->{key}{id}), encode($c->{oversized} // '-'), $value;
	}
	is(join("\n", @shown), qq{1 ["v"] (none)\n2 "-" after\n3 "-" whole\n4 "-" last},
		'pg_recvlogical: 200 MB left out, 150 MB whole, every change arrives');
	like($h->{stderr}, qr/\Q$warning\E/, 'pg_recvlogical shows the WARNING');
}

# --- the server log names table, key and column; the slot moves past the change
my $logged = () = slurp_file($node->logfile) =~ /WARNING:  outflow: \Q$warning\E/g;
cmp_ok($logged, '>=', 2, "the server log has the WARNING of the SQL read and the walsender ($logged)");
is(sql("SELECT count(*) FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL)"), 4, 'SQL: consuming moves the slot past it');
is(sql("SELECT count(*) FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL)"), 0, 'SQL: nothing left afterwards');

# --- a logical message of 200 MB of chr(1): its content is left out the same way
sql("SELECT pg_create_logical_replication_slot('msg_slot', 'outflow')");
sql("SELECT pg_logical_emit_message(true, 'big', repeat(chr(1), $big))");
sql("INSERT INTO big VALUES (5, 'after the message')");
is( sql(qq{SELECT coalesce(data::json->>'oversized', data::json->'new'->>'v')
             FROM pg_logical_slot_get_changes('msg_slot', NULL, NULL)}),
	qq{["content"]\nafter the message}, 'a 200 MB message: content left out, the next change arrives');

$node->stop;
done_testing();
