#!/usr/bin/perl
# outflow.backfill() and updates that move a row not copied yet into the
# range already copied, leaving its out-of-line (TOAST) value untouched, in a
# fixed order. With REPLICA IDENTITY DEFAULT or USING INDEX the update's new
# row carries that value only as "unchanged", and the old row in WAL has only
# the key: without the backfill trigger (outflow._backfill_moved) the consumer
# could not complete the row, and no later chunk would read it.
# Tables: m (bigint key, a TOAST column, REPLICA IDENTITY DEFAULT), c (a
# composite REPLICA IDENTITY USING INDEX key, a TOAST column), n (no TOAST
# column), pt (partitioned, published through its root: the trigger fires on
# its partitions, also for changes made with session_replication_role =
# replica, as a subscription applies them). Chunks of 3 rows; after two
# chunks of each table:
# - moves from the uncopied range into the copied one, between chunks
#   (and a move up, and a move within the copied range);
# - a move while a chunk runs: the chunk (60, 120] of m is in progress when
#   an update moves row 1000 (beyond the chunk) to 75 (inside it), and the
#   update commits after the chunk: the chunk cannot see the moved row and
#   the updater's trigger saw the bound 60 (this is why the trigger writes
#   every row whose key goes down from beyond the bound it sees, not only
#   those that land below it);
# then the backfill is finished, the slot's stream replayed into fresh tables
# (reads and inserts as upserts, updates as "remove key, add new" with the
# unchanged columns from the row the replica has) and compared with the
# sources; the trigger is gone afterwards.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use OutflowTap;

my ($node, $dir) = logical_node('moved');
my $connstr = $node->connstr('postgres');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Starts psql running $sql in the background as application $app; returns its pid.
sub background { return psql_background($connstr, $dir, @_); }

# Waits until application $app waits for (or, $granted, holds) advisory lock $k.
sub wait_advisory
{
	my ($app, $k, $granted) = @_;
	$node->poll_query_until('postgres',
		"SELECT count(*) > 0 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
		  . "WHERE a.application_name = '$app' AND l.locktype = 'advisory' AND l.objid = $k AND l.granted = $granted")
	  or die "$app never " . ($granted eq 'true' ? 'held' : 'waited for') . " advisory lock $k";
}

# Ends the session of application $app (a lock holder).
sub terminate
{
	my ($app) = @_;
	sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '$app'");
}

# md5-chained text of about 9.6 kB (incompressible enough, stored out of line).
my $big = "(SELECT string_agg(md5(%s::text || '/' || i), '') FROM generate_series(1, 300) i)";

sql(<<"SQL");
CREATE EXTENSION outflow;
CREATE TABLE m (id bigint PRIMARY KEY, v text, big text);
ALTER TABLE m ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO m SELECT g * 10, 'm' || g, @{[sprintf($big, 'g')]} FROM generate_series(1, 12) g;
CREATE TABLE c (a int NOT NULL, b int NOT NULL, big text, v text);
ALTER TABLE c ALTER COLUMN big SET STORAGE EXTERNAL;
CREATE UNIQUE INDEX c_ab ON c (a, b);
ALTER TABLE c REPLICA IDENTITY USING INDEX c_ab;
INSERT INTO c SELECT (g + 1) / 2, 1 + (g + 1) % 2, @{[sprintf($big, 'g')]}, 'c' || g FROM generate_series(1, 12) g;
CREATE TABLE n (id int PRIMARY KEY, v text);
INSERT INTO n SELECT g * 10, 'n' || g FROM generate_series(1, 12) g;
CREATE TABLE pt (id int, region text, big text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE pt_eu PARTITION OF pt FOR VALUES IN ('eu');
CREATE TABLE pt_us PARTITION OF pt FOR VALUES IN ('us');
ALTER TABLE pt_eu ALTER COLUMN big SET STORAGE EXTERNAL;
ALTER TABLE pt_us ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO pt SELECT g * 10, CASE WHEN g % 2 = 1 THEN 'eu' ELSE 'us' END, @{[sprintf($big, 'g')]}, 'pt' || g FROM generate_series(1, 12) g;
CREATE PUBLICATION p FOR TABLE m, c, n, pt WITH (publish_via_partition_root = true);
SELECT outflow.create_slot('s', 'p');
-- Replays stream_<t> into replica_<t>.
CREATE FUNCTION replay(t text) RETURNS bigint LANGUAGE plpgsql AS \$\$
DECLARE ch jsonb; newrow jsonb; old jsonb; k int := 0; col text;
BEGIN
	EXECUTE format('CREATE TABLE replica_%s (LIKE %I)', t, t);
	FOR ch IN EXECUTE format('SELECT change FROM stream WHERE change->>''table'' = %L ORDER BY ord', t) LOOP
		k := k + 1;
		IF ch->>'op' IN ('read', 'insert', 'update') THEN
			newrow := ch->'new';
			IF ch ? 'unchanged' THEN
				EXECUTE format('SELECT to_jsonb(r) FROM replica_%s r WHERE to_jsonb(r) \@> \$1', t) INTO old USING ch->'key';
				FOR col IN SELECT jsonb_array_elements_text(ch->'unchanged') LOOP
					newrow := newrow || jsonb_build_object(col, old->col);
				END LOOP;
			END IF;
			EXECUTE format('DELETE FROM replica_%s r WHERE to_jsonb(r) \@> \$1 OR to_jsonb(r) \@> \$2', t)
				USING ch->'key', (SELECT jsonb_object_agg(e.key, newrow->e.key) FROM jsonb_each(ch->'key') e);
			EXECUTE format('INSERT INTO replica_%s SELECT * FROM jsonb_populate_record(NULL::replica_%s, \$1)', t, t) USING newrow;
		ELSIF ch->>'op' = 'delete' THEN
			EXECUTE format('DELETE FROM replica_%s r WHERE to_jsonb(r) \@> \$1', t) USING ch->'key';
		END IF;
	END LOOP;
	RETURN k;
END \$\$;
SQL

# the backfills of c, m, n and pt, two chunks of each: m, n, pt copied up to 60, c up to (3, 2)
my @ids = split /\|/, sql("SELECT array_to_string(outflow._backfill_prepare('p', NULL, 3), '|')");
is(scalar(@ids), 4, 'four backfills prepared');
is(sql("SELECT string_agg(tgrelid::regclass::text || ':' || tgenabled::text, ',' ORDER BY tgrelid::regclass::text) FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%'"),
	'c:A,m:A,n:A,pt:A,pt_eu:A,pt_us:A', 'each table (and partition) has its backfill trigger before its first chunk, enabled always');
for my $id (@ids)
{
	sql("SELECT outflow._backfill_chunk($id)") for 1 .. 2;
}
is(sql("SELECT string_agg(relation::text || '=' || last_key::text, ' ' ORDER BY relation::text) FROM outflow.backfills"),
	'c={3,2} m={60} n={60} pt={60,us}', 'two chunks of each table copied');

# between chunks: from the uncopied range into the copied one, TOAST column untouched
sql(<<'SQL');
UPDATE m SET id = 5, v = 'moved down' WHERE id = 90;
UPDATE m SET id = 15 WHERE id = 110;
UPDATE c SET a = 3, b = 0, v = 'moved down' WHERE (a, b) = (5, 2);
UPDATE c SET b = 5 WHERE (a, b) = (4, 1);
UPDATE n SET id = 25 WHERE id = 80;
UPDATE m SET id = 1000 WHERE id = 100;
UPDATE m SET id = 1, v = 'within' WHERE id = 30;
SET session_replication_role = replica;
UPDATE pt SET id = 5, v = 'moved down' WHERE id = 90;
UPDATE pt SET id = 7, region = 'us' WHERE id = 110;
SQL

# while a chunk runs: the chunk (60, 120] of m (rows 70, 80, 120) holds until
# advisory lock 1 is free, the update of row 1000 to 75 until lock 2 is; the
# chunk commits first
my @holders = map { background("h$_", "SELECT pg_advisory_lock($_); SELECT pg_sleep(600)") } (1, 2);
wait_advisory("h$_", $_, 'true') for (1, 2);
my ($mid) = sql("SELECT id FROM outflow.backfills WHERE relation = 'm'::regclass");
my $chunk = background('chunk', "BEGIN; SELECT outflow._backfill_chunk($mid); SELECT pg_advisory_xact_lock(1); COMMIT;");
wait_advisory('chunk', 1, 'false');
my $upd = background('upd', "BEGIN; UPDATE m SET id = 75, v = 'moved during a chunk' WHERE id = 1000; SELECT pg_advisory_xact_lock(2); COMMIT;");
wait_advisory('upd', 2, 'false');
terminate('h1');
reap($chunk);
is(slurp_file("$dir/chunk.err"), '', 'the chunk committed');
is(sql("SELECT last_key::text FROM outflow.backfills WHERE id = $mid"), '{120}', 'its bound is past 75');
terminate('h2');
reap($upd);
is(slurp_file("$dir/upd.err"), '', 'the update committed after the chunk');
reap($_) for @holders;

# the rest, resumed
sql("CALL outflow.backfill('p', NULL, 3)");
is(sql("SELECT string_agg(state, ',') FROM outflow.backfills"), 'done,done,done,done', 'backfills done');
is(sql("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'outflow_backfill%'"), '0', 'no backfill trigger left');

sql("CREATE TABLE stream AS SELECT ord, change FROM outflow.changes('s') WITH ORDINALITY AS x(lsn, xid, change, ord)");
# the cases happened: updates of rows with the TOAST column left out of them
is(sql("SELECT count(*) FROM stream WHERE change->>'op' = 'update' AND change->'unchanged' ? 'big' AND (change->'new'->>'v') LIKE 'moved%'"),
	'4', 'the moved rows came as updates with big unchanged');
for my $t (qw(m c n pt))
{
	sql("SELECT replay('$t')");
	my $cols = $t eq 'n' ? 'id, v' : $t eq 'm' ? 'id, v, big' : $t eq 'pt' ? 'id, region, big, v' : 'a, b, big, v';
	is(sql("SELECT count(*) FROM (SELECT $cols FROM $t EXCEPT SELECT $cols FROM replica_$t) x"), '0',
		"$t: every source row is in the replayed table");
	is(sql("SELECT count(*) FROM (SELECT $cols FROM replica_$t EXCEPT SELECT $cols FROM $t) x"), '0',
		"$t: the replayed table has nothing else");
	is(sql("SELECT count(*) FROM replica_$t"), '12', "$t: 12 rows");
}
# the rows the trigger wrote: in the updating transactions, right after their update
is(sql(<<'SQL'), 'c:3,0 m:5 m:15 m:75 n:25 pt:5,eu', 'the trigger wrote the rows moved down from beyond the bound');
SELECT string_agg(r.change->>'table' || ':' || (SELECT string_agg(v, ',') FROM jsonb_each_text(r.change->'key') AS k(k, v)), ' '
                  ORDER BY r.change->>'table', r.ord)
FROM stream r JOIN stream u ON u.ord = r.ord - 1
WHERE r.change->>'op' = 'read' AND u.change->>'op' = 'update' AND u.change->'new' @> (r.change->'key')
SQL

done_testing();
