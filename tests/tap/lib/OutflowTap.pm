# Helpers for outflow's TAP tests: decoding the native JSON format exactly,
# the publisher's/subscriber's rows as states, replaying a stream onto a
# state, comparing states, and a live pg_recvlogical consumer.
#
# A state is {"schema.table" => {key json => row}}; rows and keys are
# decoded with decode_exact, so numbers keep their literal text.
package OutflowTap;
use strict;
use warnings;
use Exporter 'import';
use IPC::Run;
use JSON::PP;
use Test::More;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Utils;

our @EXPORT = qw(decode_exact decode_lines encode num rows_of replay same_state
  keep_rows project start_recvlogical stop_after_heartbeat);

my $json = JSON::PP->new->canonical;

# Consumers started, stopped at exit also when a test dies half-way (the
# clusters' own END blocks stop the servers).
my @consumers;
END
{
	for my $run (@consumers)
	{
		$run->kill_kill if $run->pumpable;
	}
}

sub encode { return $json->encode($_[0]); }

# Decodes JSON keeping every number's literal text (numeric 1297.50 must stay
# 1297.50, not become 1297.5): bare numbers become "#num:<text>" strings.
sub decode_exact
{
	my ($text) = @_;
	$text =~ s/("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/defined $1 ? $1 : "\"#num:$2\""/ge;
	return $json->decode($text);
}

# One JSON value a line.
sub decode_lines { return map { decode_exact($_) } grep { /\S/ } split /\n/, $_[0]; }

# The number in a decoded value.
sub num { my ($v) = @_; $v =~ s/^#num://; return $v; }

# The rows of the tables in $published ({"schema.table" => {columns => [...],
# filter => SQL, key => [...]}}) on $node as a state, rendered by to_jsonb
# under the native format's settings, only the published columns; with
# $filtered only the rows passing the filter.
sub rows_of
{
	my ($node, $published, $filtered) = @_;
	my %state;
	for my $t (sort keys %$published)
	{
		my $p = $published->{$t};
		my $cols = join ', ', @{ $p->{columns} };
		my $where = $filtered && defined $p->{filter} ? "WHERE $p->{filter}" : '';
		my $out = $node->safe_psql('postgres', qq{
SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1;
SET IntervalStyle = 'postgres'; SET bytea_output = 'hex';
SELECT to_jsonb(r) FROM (SELECT $cols FROM $t $where) r;});
		$state{$t} = {};
		for my $row (decode_lines($out))
		{
			$state{$t}{ encode({ map { $_ => $row->{$_} } @{ $p->{key} } }) } = $row;
		}
	}
	return \%state;
}

# A copy of the state with only the rows of $table for which $keep->($row)
# is true.
sub keep_rows
{
	my ($state, $table, $keep) = @_;
	my %s = %$state;
	my $rows = $s{$table} || {};
	$s{$table} = { map { $_ => $rows->{$_} } grep { $keep->($rows->{$_}) } keys %$rows };
	return \%s;
}

# A copy of the state with the rows of $table cut to the columns @$cols.
sub project
{
	my ($state, $table, $cols) = @_;
	my %s = %$state;
	my $rows = $s{$table} || {};
	$s{$table} = { map { my $r = $rows->{$_}; ($_ => { map { $_ => $r->{$_} } @$cols }) } keys %$rows };
	return \%s;
}

# Applies native-format changes to a copy of $start: an insert adds, an
# update removes its key (the identity before the update) and adds the new
# row (untouched TOAST columns taken from the old row), a delete removes, a
# truncate empties. A change that does not fit (insert of a present key,
# update or delete of a missing one, a table not in $published) is a test
# failure. Returns the state.
sub replay
{
	my ($start, $changes, $what, $published) = @_;
	my %state = map { $_ => { %{ $start->{$_} } } } keys %$start;
	my @errors;
	for my $ch (@$changes)
	{
		my $op = $ch->{op};
		next if $op eq 'message' || $op eq 'begin' || $op eq 'commit';
		my $t = "$ch->{schema}.$ch->{table}";
		push @errors, "table $t is not published" unless $published->{$t};
		$state{$t} ||= {};
		if ($op eq 'truncate')
		{
			$state{$t} = {};
			next;
		}
		my $key = $ch->{key};
		unless ($key)
		{
			push @errors, "no key: " . encode($ch);
			next;
		}
		my $k = encode($key);
		if ($op eq 'insert')
		{
			push @errors, "insert of a present row: $t $k" if exists $state{$t}{$k};
			$state{$t}{$k} = $ch->{new};
		}
		elsif ($op eq 'update')
		{
			push @errors, "update of a missing row: $t $k" unless exists $state{$t}{$k};
			my $old = delete $state{$t}{$k} || {};
			my %new = %{ $ch->{new} };
			for my $col (@{ $ch->{unchanged} || [] })
			{
				push @errors, "unchanged column $col is also in new: $t $k" if exists $ch->{new}{$col};
				$new{$col} = $old->{$col};
			}
			$state{$t}{ encode({ map { $_ => $new{$_} } keys %$key }) } = \%new;
		}
		elsif ($op eq 'delete')
		{
			push @errors, "delete of a missing row: $t $k" unless exists $state{$t}{$k};
			delete $state{$t}{$k};
		}
		else
		{
			push @errors, "unexpected op $op";
		}
	}
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	is(join("\n", @errors[ 0 .. ($#errors < 9 ? $#errors : 9) ]), '', "$what replays cleanly");
	return \%state;
}

# Compares two states table by table (tables in either), reporting a few
# differences. An empty expectation is a failure too: it would prove nothing.
sub same_state
{
	my ($got, $want, $name) = @_;
	my @diff;
	my %tables = map { $_ => 1 } keys %$got, keys %$want;
	for my $t (sort keys %tables)
	{
		my $g = $got->{$t} || {};
		my $w = $want->{$t} || {};
		for my $k (sort keys %$w)
		{
			if (!exists $g->{$k}) { push @diff, "$t: missing $k" }
			elsif (encode($g->{$k}) ne encode($w->{$k}))
			{
				push @diff, "$t: $k is " . encode($g->{$k}) . ", want " . encode($w->{$k});
			}
		}
		push @diff, map { "$t: extra $_" } grep { !exists $w->{$_} } sort keys %$g;
	}
	my $rows = 0;
	$rows += scalar keys %{ $want->{$_} || {} } for keys %$want;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	ok(!@diff && $rows > 0, "$name ($rows rows)")
	  or diag scalar(@diff) . " differences:\n" . join("\n", @diff[ 0 .. ($#diff < 9 ? $#diff : 9) ]);
}

# Starts pg_recvlogical on $slot of $node, writing to $file, with plugin
# options (name => value). Waits until the slot is active. Returns a handle
# for stop_after_heartbeat.
sub start_recvlogical
{
	my ($node, $slot, $file, @options) = @_;
	my $h = { file => $file, stdout => '', stderr => '' };
	my @o;
	while (my ($k, $v) = splice(@options, 0, 2)) { push @o, '-o', "$k=$v"; }
	$h->{run} = IPC::Run::start(
		[
			'pg_recvlogical', '-d', $node->connstr('postgres'), '-S', $slot, '--start',
			'-f', $file, '-F', '1', '-s', '1', '--no-loop', @o
		],
		'>', \$h->{stdout}, '2>', \$h->{stderr});
	push @consumers, $h->{run};
	$node->poll_query_until('postgres', "SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'")
	  or die "pg_recvlogical did not connect: $h->{stderr}";
	return $h;
}

# Emits outflow.heartbeat() on $node (after everything committed before),
# waits until the consumer has written that message, stops the consumer and returns
# what it wrote. The consumer must pass the heartbeat message through.
sub stop_after_heartbeat
{
	my ($node, $h) = @_;
	# its content is the transaction's now() in UTC: read it in the same
	# transaction to recognise this heartbeat and no earlier one
	my (undef, $content) = split /\n/, $node->safe_psql('postgres', q{
SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';
BEGIN; SELECT outflow.heartbeat(); SELECT now()::text; COMMIT;});
	my $marker = qr/"prefix":"outflow\.heartbeat","content":"\Q$content\E"/;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until (-e $h->{file} && slurp_file($h->{file}) =~ $marker)
	{
		$h->{run}->pump_nb;
		die "pg_recvlogical never got the heartbeat: $h->{stderr}"
		  if time > $deadline || !$h->{run}->pumpable;
		usleep(100_000);
	}
	$h->{run}->signal('INT');
	$h->{run}->finish;
	return slurp_file($h->{file});
}

1;
