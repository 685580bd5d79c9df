#!/usr/bin/perl
# outflow.backfill() with writers running. For each seed: a table filled
# before the slots exist; slot "s_<seed>" follows publication pub_<seed>,
# slot "o_<seed>" follows pub_other_<seed> (the same table, another
# publication). Two writer sessions commit random inserts, updates of the
# key (to higher and to lower keys) and of other columns, updates of an
# out-of-line (TOAST, STORAGE EXTERNAL) column, updates that leave it
# untouched, and deletes, while outflow.backfill() copies the table in
# chunks of 25 rows. With the first seed the backfill is also cancelled
# (pg_cancel_backend) and the server stopped in immediate mode in the
# middle, then resumed by calling it again; an ALTER TABLE runs while it
# works. Then slot s's stream is replayed into a fresh table (reads and
# inserts as upserts, updates as "remove key, add new" with untouched
# columns from the old row, deletes as deletes) and must equal the table;
# within one backfill no key is read twice by the chunks; slot o sees no read
# and no backfill record. Moves to a lower key leave the out-of-line value
# untouched: a row not copied yet that moves below the copied range comes
# with "unchanged" and no old value, and the backfill trigger's read that
# follows it completes it (tests/tap/t/010_backfill_moved_rows.pl tests that
# case in a fixed order). The trigger exists while the backfill is
# unfinished (also cancelled, or after a crash) and is gone after it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

my ($node, $dir) = logical_node('backfill', "max_connections = 40\n");
my $connstr = $node->connstr('postgres');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Starts psql running $sql in the background as application $app; returns its pid.
sub background { return psql_background($connstr, $dir, @_); }

# The backend pid of application $app (waits until it is connected).
sub backend_of
{
	my ($app) = @_;
	$node->poll_query_until('postgres', "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = '$app'")
	  or die "$app never connected";
	return sql("SELECT pid FROM pg_stat_activity WHERE application_name = '$app' LIMIT 1");
}

# Rows copied so far by the (only) unfinished backfill of table $t.
sub rows_done
{
	my ($t) = @_;
	return sql("SELECT coalesce(max(rows_done), 0) FROM outflow.backfill_status WHERE relation = '$t'::regclass");
}

sub wait_rows_done
{
	my ($t, $n) = @_;
	$node->poll_query_until('postgres',
		"SELECT coalesce(max(rows_done), 0) >= $n FROM outflow.backfill_status WHERE relation = '$t'::regclass")
	  or die "backfill of $t did not reach $n rows";
}

sql(<<'SQL');
CREATE EXTENSION outflow;
CREATE SEQUENCE ids START 1000000;
-- $1 writes n transactions on table t (random, from seed), keys of the
-- initial rows 1..maxid or of recent inserts.
CREATE PROCEDURE writer(t regclass, seed float8, n int, maxid int) LANGUAGE plpgsql AS $$
DECLARE r float8; k bigint;
BEGIN
	PERFORM setseed(seed);
	PERFORM nextval('ids');
	FOR i IN 1..n LOOP
		r := random();
		k := CASE WHEN random() < 0.8 THEN 1 + floor(random() * maxid)::bigint
		          ELSE currval('ids') - floor(random() * 50)::bigint END;
		IF r < 0.25 THEN
			EXECUTE format('INSERT INTO %s (id, v, n, big) VALUES (nextval(''ids''), md5(random()::text), random() * 1000, '
			               'CASE WHEN random() < 0.3 THEN repeat(md5(random()::text), 100) END)', t);
		ELSIF r < 0.45 THEN  -- other columns; big untouched
			EXECUTE format('UPDATE %s SET v = md5(random()::text), n = n + 1 WHERE id = $1', t) USING k;
		ELSIF r < 0.55 THEN  -- the out-of-line value itself
			EXECUTE format('UPDATE %s SET big = repeat(md5(random()::text), 100) WHERE id = $1', t) USING k;
		ELSIF r < 0.68 THEN  -- the key, to a higher one; big untouched
			EXECUTE format('UPDATE %s SET id = nextval(''ids''), v = ''up'' WHERE id = $1', t) USING k;
		ELSIF r < 0.78 THEN  -- the key, to a lower one (below the copied range); big untouched
			EXECUTE format('UPDATE %s SET id = -nextval(''ids''), v = ''down'' WHERE id = $1', t) USING k;
		ELSE
			EXECUTE format('DELETE FROM %s WHERE id = $1', t) USING k;
		END IF;
		COMMIT;
	END LOOP;
END $$;
-- Replays a slot's stream (table stream_<t>) into replica_<t>.
CREATE FUNCTION replay(src text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE c jsonb; newrow jsonb; old jsonb; n bigint := 0; col text;
BEGIN
	EXECUTE format('CREATE TABLE replica_%s (LIKE %I)', src, src);
	FOR c IN EXECUTE format('SELECT change FROM stream_%s ORDER BY ord', src) LOOP
		n := n + 1;
		IF c->>'op' IN ('read', 'insert', 'update') THEN
			newrow := c->'new';
			IF c ? 'unchanged' THEN
				EXECUTE format('SELECT to_jsonb(r) FROM replica_%s r WHERE id = $1', src) INTO old USING (c->'key'->>'id')::bigint;
				FOR col IN SELECT jsonb_array_elements_text(c->'unchanged') LOOP
					newrow := newrow || jsonb_build_object(col, old->col);
				END LOOP;
			END IF;
			EXECUTE format('DELETE FROM replica_%s WHERE id = $1', src) USING (c->'key'->>'id')::bigint;
			IF c->>'op' = 'update' THEN
				EXECUTE format('DELETE FROM replica_%s WHERE id = $1', src) USING (newrow->>'id')::bigint;
			END IF;
			EXECUTE format('INSERT INTO replica_%s SELECT * FROM jsonb_populate_record(NULL::replica_%s, $1)', src, src) USING newrow;
		ELSIF c->>'op' = 'delete' THEN
			EXECUTE format('DELETE FROM replica_%s WHERE id = $1', src) USING (c->'key'->>'id')::bigint;
		END IF;
	END LOOP;
	RETURN n;
END $$;
SQL

my @seeds = (11, 22, 33);
my $moved_total = 0;    # rows the trigger wrote, all seeds
for my $seed (@seeds)
{
	my $t = "t_$seed";
	my $first = $seed == $seeds[0];
	my $rows = $first ? 20000 : 2000;
	sql(<<"SQL");
CREATE TABLE $t (id bigint PRIMARY KEY, v text, n numeric, big text);
ALTER TABLE $t ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO $t SELECT g, md5(g::text), g * 1.5, CASE WHEN g % 10 = 0 THEN repeat(md5(g::text), 100) END
FROM generate_series(1, $rows) g;
CREATE PUBLICATION pub_$seed FOR TABLE $t;
CREATE PUBLICATION pub_other_$seed FOR TABLE $t;
SELECT outflow.create_slot('s_$seed', 'pub_$seed');
SELECT outflow.create_slot('o_$seed', 'pub_other_$seed');
SQL

	my @writers = map { background("w${_}_$seed", "CALL writer('$t', 0.$seed$_, " . ($first ? 3000 : 800) . ", $rows)") } (1, 2);
	my $call = "CALL outflow.backfill('pub_$seed', '$t', " . ($first ? 10 : 25) . ")";
	if ($first)
	{
		# cancelled in the middle
		my $bf = background("bf1_$seed", $call);
		my $pid = backend_of("bf1_$seed");
		wait_rows_done($t, 300);
		ok(sql("SELECT pg_cancel_backend($pid)") eq 't', "seed $seed: backfill cancelled");
		reap($bf);
		like(slurp_file("$dir/bf1_$seed.err"), qr/canceling statement due to user request/, "seed $seed: the call reports the cancel");
		my $done = rows_done($t);
		ok($done > 0 && $done < $rows, "seed $seed: cancelled mid-way ($done rows copied)");
		is(sql("SELECT count(*) FROM pg_locks WHERE pid = $pid AND locktype IN ('relation', 'tuple', 'transactionid')
			AND relation IS DISTINCT FROM 0"), '0', "seed $seed: no locks left by the cancelled backfill");
		is(sql("SELECT tgenabled FROM pg_trigger WHERE tgrelid = '$t'::regclass AND tgname LIKE 'outflow_backfill%'"), 'A',
			"seed $seed: the backfill trigger stays while the backfill is cancelled");

		# resumed, then an ALTER TABLE waits at most for one chunk
		my $bf2 = background("bf2_$seed", $call);
		wait_rows_done($t, $done + 100);
		my $t0 = time;
		sql("SET lock_timeout = '20s'; ALTER TABLE $t ADD COLUMN extra int; ALTER TABLE $t DROP COLUMN extra;");
		ok(time - $t0 < 20, "seed $seed: ALTER TABLE did not wait for the backfill");

		# server stopped in immediate mode in the middle
		my $before = rows_done($t);
		wait_rows_done($t, $before + 20);
		$node->stop('immediate');
		reap($bf2);
		reap($_) for @writers;
		$node->start;
		my $after = rows_done($t);
		ok(sql("SELECT state FROM outflow.backfills WHERE relation = '$t'::regclass") eq 'running',
			"seed $seed: crashed mid-way ($after rows copied)");
		@writers = map { background("w${_}b_$seed", "CALL writer('$t', 0.$seed${_}9, 800, $rows)") } (1, 2);
	}
	# (resumed to the end) with the writers still running
	sql($call);
	reap($_) for @writers;
	is(sql("SELECT state FROM outflow.backfills WHERE relation = '$t'::regclass ORDER BY id DESC LIMIT 1"), 'done',
		"seed $seed: backfill done");
	is(sql("SELECT count(*) FROM outflow.backfills WHERE relation = '$t'::regclass"), '1', "seed $seed: one backfill, resumed");
	is(sql("SELECT count(*) FROM pg_trigger WHERE tgrelid = '$t'::regclass AND tgname LIKE 'outflow_backfill%'"), '0',
		"seed $seed: no backfill trigger left");
	# (the first writers of the first seed were stopped by the crash)
	for my $app (grep { !$first || /b_\d+\.err$/ } glob("$dir/w*_$seed.err"))
	{
		is(slurp_file($app), '', "seed $seed: writer $app had no error");
	}

	# replay slot s
	sql("CREATE TABLE stream_$t AS SELECT ord, xid::text AS xid, change FROM outflow.changes('s_$seed') WITH ORDINALITY AS c(lsn, xid, change, ord)");
	my $n = sql("SELECT replay('$t')");
	my $reads = sql("SELECT count(*) FROM stream_$t WHERE change->>'op' = 'read'");
	ok($reads >= $rows * 0.5 && $n > $reads, "seed $seed: $reads reads among $n changes");
	is(sql("SELECT count(*) FROM (SELECT id, v, n, big FROM $t EXCEPT SELECT id, v, n, big FROM replica_$t) x"), '0',
		"seed $seed: every source row is in the replayed table");
	is(sql("SELECT count(*) FROM (SELECT id, v, n, big FROM replica_$t EXCEPT SELECT id, v, n, big FROM $t) x"), '0',
		"seed $seed: the replayed table has nothing else");
	is(sql("SELECT count(*) FROM $t"), sql("SELECT count(*) FROM replica_$t"), "seed $seed: same row count");
	# (chunks: transactions of reads only; the trigger's reads follow updates in theirs)
	my $chunk_reads = "SELECT * FROM stream_$t r WHERE change->>'op' = 'read'
		AND NOT EXISTS (SELECT FROM stream_$t w WHERE w.xid = r.xid AND w.change->>'op' IN ('insert', 'update', 'delete'))";
	is(sql("SELECT count(*) FROM ($chunk_reads) x"), sql("SELECT rows_done FROM outflow.backfills WHERE relation = '$t'::regclass"),
		"seed $seed: the chunks' reads are the rows the backfill counted");
	is(sql("SELECT count(*) FROM (SELECT change->'key' FROM ($chunk_reads) x GROUP BY 1 HAVING count(*) > 1) x"),
		'0', "seed $seed: no key read twice by the chunks");
	my $moved = sql("SELECT count(*) FROM stream_$t r WHERE change->>'op' = 'read'
		AND EXISTS (SELECT FROM stream_$t w WHERE w.xid = r.xid AND w.change->>'op' = 'update')");
	# (whether a seed's writers move a row below the copied range while its
	# backfill runs depends on timing: counted over all seeds, below)
	note("seed $seed: the trigger wrote $moved rows moved below the copied range");
	$moved_total += $moved;
	is(sql("SELECT string_agg(change->>'op', ',' ORDER BY ord) FROM stream_$t WHERE change->>'op' LIKE 'backfill%'"),
		'backfill_start,backfill_end', "seed $seed: one backfill_start and one backfill_end");
	is(sql("SELECT count(*) FROM stream_$t WHERE change->>'op' = 'read' AND ord > (SELECT ord FROM stream_$t WHERE change->>'op' = 'backfill_end')"),
		'0', "seed $seed: no read after backfill_end");
	my $other = sql("SELECT count(*) FILTER (WHERE change->>'op' IN ('read', 'backfill_start', 'backfill_end')) || '/' || count(*) FROM outflow.changes('o_$seed')");
	like($other, qr{^0/[1-9]}, "seed $seed: the slot of another publication sees writes and no backfill ($other)");
	sql("SELECT outflow.drop_slot('s_$seed'); SELECT outflow.drop_slot('o_$seed')");
}
ok($moved_total > 0, "the trigger wrote rows moved below the copied range ($moved_total, all seeds)");

done_testing();
