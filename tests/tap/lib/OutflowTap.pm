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
use POSIX qw(WNOHANG);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(decode_exact decode_lines encode num rows_of replay same_state
  keep_rows project start_recvlogical stop_after_heartbeat
  spawn psql_background running reap lsn_num stream_key compare_runs server_major logical_node
  stop_recvlogical wait_confirmed walsender_kb export_snapshot end_export snapshot_state);

my $json = JSON::PP->new->canonical;

# The major version of the server the tests run (postgres on PATH), before
# any cluster exists: tests of features a major lacks skip there.
sub server_major
{
	my ($major) = `postgres --version` =~ /\(PostgreSQL\) (\d+)/;
	die "cannot tell the server's version from postgres --version" unless $major;
	return $major;
}

# A started cluster $name with wal_level logical (and the postgresql.conf
# lines $conf, if given), and a new directory tmp_check/$name for the
# test's files: ($node, $dir).
sub logical_node
{
	my ($name, $conf) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 'logical');
	$node->append_conf('postgresql.conf', $conf) if defined $conf;
	$node->start;
	my $dir = "$PostgreSQL::Test::Utils::tmp_check/$name";
	mkdir $dir or die "mkdir $dir: $!";
	return ($node, $dir);
}

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
	stop_recvlogical($h);
	return slurp_file($h->{file});
}

# Creates logical slot $slot (outflow) on $node over a replication
# connection that exports its snapshot and stays open (the snapshot lives
# until its next command; before 15 with the EXPORT_SNAPSHOT syntax).
# Returns (connection for end_export, slot, consistent LSN, snapshot name,
# plugin, stderr so far).
sub export_snapshot
{
	my ($node, $slot) = @_;
	my ($in, $out, $err) = ('', '', '');
	my $repl = IPC::Run::start(
		[ 'psql', '-XAt', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres') . ' replication=database' ],
		'<', \$in, '>', \$out, '2>', \$err, IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	$in .= server_major() >= 15
	  ? "CREATE_REPLICATION_SLOT $slot LOGICAL outflow (SNAPSHOT 'export');\n"
	  : "CREATE_REPLICATION_SLOT $slot LOGICAL outflow EXPORT_SNAPSHOT;\n";
	$repl->pump until $out =~ /\n/ || $err ne '';
	my ($name, $lsn, $snapshot, $plugin) = split /\|/, (split /\n/, $out)[0] // '';
	return ({ run => $repl, in => \$in }, $name, $lsn, $snapshot, $plugin, $err);
}

# Closes the replication connection of export_snapshot (its snapshot ends).
sub end_export
{
	my ($repl) = @_;
	${ $repl->{in} } .= "\\q\n";
	$repl->{run}->finish;
	return;
}

# The state (table => key => row) of snapshot() rows, and the ops of the rows that are not reads.
sub snapshot_state
{
	my @not_read;
	my %state;
	for my $r (@_)
	{
		push @not_read, $r->{op} unless $r->{op} eq 'read';
		$state{"$r->{schema}.$r->{table}"}{ encode($r->{key}) } = $r->{new};
	}
	return (\%state, \@not_read);
}

# Stops the consumer $h (start_recvlogical) as a user would (SIGINT) and waits for it.
sub stop_recvlogical
{
	my ($h) = @_;
	$h->{run}->signal('INT');
	$h->{run}->finish;
	return;
}

# Waits until the consumer $h (start_recvlogical) of $slot on $node has
# confirmed everything up to $lsn; dies if it exits first or has not after
# the default timeout.
sub wait_confirmed
{
	my ($node, $h, $slot, $lsn) = @_;
	my $deadline = time + $PostgreSQL::Test::Utils::timeout_default;
	until ($node->safe_psql('postgres',
			"SELECT confirmed_flush_lsn >= '$lsn' FROM pg_replication_slots WHERE slot_name = '$slot'") eq 't')
	{
		$h->{run}->pump_nb if $h->{run}->pumpable;
		die "pg_recvlogical exited before confirming $lsn: $h->{stderr}" unless $h->{run}->pumpable;
		die "pg_recvlogical did not confirm $lsn in time: $h->{stderr}" if time > $deadline;
		usleep(100_000);
	}
}

# The field $field (VmHWM, RssAnon, ...) in kB of /proc/PID/status of the
# walsender serving $slot on $node.
sub walsender_kb
{
	my ($node, $slot, $field) = @_;
	my $pid = $node->safe_psql('postgres', "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '$slot'");
	my ($kb) = slurp_file("/proc/$pid/status") =~ /^\Q$field\E:\s*(\d+) kB/m;
	die "no $field in /proc/$pid/status (walsender of $slot)" unless defined $kb;
	return $kb;
}

# --- Processes started with fork and exec, so that the pid is the program's
# own (a signal reaches it, not a shell). Killed with SIGKILL at exit if
# still running.
my (%spawned, %status);
END
{
	local $?;    # keep the test's exit status
	for my $pid (keys %spawned)
	{
		kill 'KILL', $pid;
		waitpid($pid, 0);
	}
}

# spawn([program, args...], stdout => FILE or handle, stderr => FILE):
# starts the program (stdin /dev/null; stdout and stderr appended to the
# files, /dev/null by default) and returns its pid.
sub spawn
{
	my ($cmd, %io) = @_;
	my @fh;
	for my $n (qw(stdout stderr))
	{
		my $to = $io{$n} // '/dev/null';
		if (ref $to) { push @fh, $to; next; }
		open(my $fh, '>>:raw', $to) or die "open $to: $!";
		push @fh, $fh;
	}
	my $pid = fork() // die "fork: $!";
	if ($pid == 0)
	{
		# the child only execs: it must not run the test's END blocks
		open(my $null, '<', '/dev/null') or POSIX::_exit(127);
		POSIX::dup2(fileno($null), 0) // POSIX::_exit(127);
		POSIX::dup2(fileno($fh[0]), 1) // POSIX::_exit(127);
		POSIX::dup2(fileno($fh[1]), 2) // POSIX::_exit(127);
		{ no warnings 'exec'; exec { $cmd->[0] } @$cmd; }
		POSIX::_exit(127);
	}
	$spawned{$pid} = 1;
	return $pid;
}

# psql_background($connstr, $dir, $app, $sql): starts psql running $sql as
# application $app (stdout and stderr in $dir/$app.out and .err); returns its pid.
sub psql_background
{
	my ($connstr, $dir, $app, $sql) = @_;
	return spawn([ 'env', "PGAPPNAME=$app", 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $connstr, '-c', $sql ],
		stdout => "$dir/$app.out", stderr => "$dir/$app.err");
}

# True while the spawned $pid has not exited.
sub running
{
	my ($pid) = @_;
	return 0 unless $spawned{$pid};
	local $?;
	return 1 if waitpid($pid, WNOHANG) == 0;
	$status{$pid} = $?;
	delete $spawned{$pid};
	return 0;
}

# Waits for the spawned $pid to exit; returns its wait status ($?).
sub reap
{
	my ($pid) = @_;
	if ($spawned{$pid})
	{
		local $?;
		waitpid($pid, 0);
		$status{$pid} = $?;
		delete $spawned{$pid};
	}
	return $status{$pid};
}

# --- Comparing what the consumers of a slot received with a reference
# stream of the same changes (native format, include-transaction on).

# An LSN "X/Y" as a number.
sub lsn_num
{
	my ($hi, $lo) = split m{/}, $_[0];
	return (hex($hi) << 32) | hex($lo);
}

# The key of a native-format line: (commit_lsn, seq) for a change or a
# transactional message, (commit_lsn, "begin"/"commit") for those. Returns
# (key, commit_lsn); ('', undef) for a non-transactional message; undef for a
# line of another shape. The header fields come first, in a fixed order,
# before any value taken from the data (the regex skips the schema and table
# strings with their escapes), so the data cannot fake a key.
my $lsn = qr{[0-9A-F]+/[0-9A-F]+};
sub stream_key
{
	my ($line) = @_;
	if ($line =~ m~^\{"op":"(insert|update|delete|truncate|message|begin|commit)",(?:"schema":"(?:[^"\\]|\\.)*","table":"(?:[^"\\]|\\.)*",)?(?:"lsn":"$lsn",)?"commit_lsn":"($lsn)","xid":\d+(?:,"seq":(\d+))?[,}]~)
	{
		my ($op, $commit, $seq) = ($1, $2, $3);
		if ($op eq 'begin' || $op eq 'commit') { return defined $seq ? undef : ("$commit $op", $commit); }
		return defined $seq ? ("$commit $seq", $commit) : undef;
	}
	return ('', undef) if $line =~ m~^\{"op":"message","lsn":"$lsn","transactional":false,~;
	return undef;
}

# The complete lines of a file read as bytes, and whether a last line without
# its newline (a consumer killed while writing it) was dropped.
sub whole_lines
{
	my ($file) = @_;
	open(my $fh, '<:raw', $file) or die "open $file: $!";
	local $/;
	my $data = <$fh> // '';
	close $fh;
	my @lines = split /\n/, $data, -1;
	my $cut = pop @lines;    # after the last newline: '' or a cut line
	return (\@lines, $cut ne '');
}

# compare_runs($ref_file, [{ start => LSN, file => FILE }, ...]): $ref_file is
# the whole stream, read once through SQL from a slot created together with
# the tested one; each run is what one consumer of the tested slot received
# (pg_recvlogical or one SQL call), in the order they ran, with the slot's
# confirmed_flush_lsn when it started. Checks
#   - every line of every run is in the reference, byte-identical, under the
#     same key (so a duplicate has the same key and content);
#   - no run received a transaction from before its start position;
#   - no run received a key twice;
#   - what a run left the slot past, it received: every reference key with
#     start <= commit_lsn < the next run's start is in this run (after a
#     server crash the slot may restart from its last saved position, lower
#     than the last confirmed one: the range is then empty);
#   - together the runs received every key of the reference.
# A run's last line without a newline is ignored (never confirmed). Returns
# (errors, notes): two array refs of strings.
sub compare_runs
{
	my ($ref_file, $runs) = @_;
	my (@errors, @notes);
	my $err = sub { push @errors, $_[0] };
	my ($ref_lines, $ref_cut) = whole_lines($ref_file);
	$err->("the reference ends without a newline") if $ref_cut;
	my (%ref, %ref_lsn);
	for my $line (grep { $_ ne '' } @$ref_lines)
	{
		my ($k, $commit) = stream_key($line);
		if (!defined $k) { $err->("reference: a line of unknown shape: " . substr($line, 0, 200)); next; }
		next if $k eq '';
		$err->("reference: key $k twice") if exists $ref{$k};
		$ref{$k} = $line;
		$ref_lsn{$k} = lsn_num($commit);
	}
	my (%seen, @received);
	my ($dups, $cut_lines) = (0, 0);
	for my $i (0 .. $#$runs)
	{
		my $run = $runs->[$i];
		my $start = lsn_num($run->{start});
		my ($lines, $cut) = whole_lines($run->{file});
		$cut_lines++ if $cut;
		my (%mine, $new, $dup);
		($new, $dup) = (0, 0);
		my $n = 0;
		for my $line (@$lines)
		{
			$n++;
			next if $line eq '';
			my $where = "$run->{file}:$n";
			my ($k, $commit) = stream_key($line);
			if (!defined $k) { $err->("$where: a line of unknown shape: " . substr($line, 0, 200)); next; }
			next if $k eq '';
			if (!exists $ref{$k}) { $err->("$where: $k is not in the reference: " . substr($line, 0, 200)); next; }
			$err->("$where: differs from the reference:\n  got " . substr($line, 0, 300) . "\n  ref " . substr($ref{$k}, 0, 300))
			  if $ref{$k} ne $line;
			$err->("$where: transaction $commit is before the slot's position $run->{start} when this run started")
			  if $ref_lsn{$k} < $start;
			$err->("$where: this run received $k twice") if $mine{$k}++;
			if ($seen{$k}++) { $dup++ } else { $new++ }
		}
		$dups += $dup;
		push @received, \%mine;
		push @notes, sprintf("%s: from %s: %d lines, %d new, %d duplicates%s",
			$run->{file}, $run->{start}, scalar(grep { $_ ne '' } @$lines), $new, $dup, $cut ? ', cut last line ignored' : '');
	}
	for my $i (0 .. $#$runs - 1)
	{
		my ($from, $to) = (lsn_num($runs->[$i]{start}), lsn_num($runs->[ $i + 1 ]{start}));
		my @skipped = sort grep { $ref_lsn{$_} >= $from && $ref_lsn{$_} < $to && !$received[$i]{$_} } keys %ref;
		$err->("$runs->[$i]{file}: the slot moved past $_, but this run never received it") for @skipped[ 0 .. ($#skipped < 4 ? $#skipped : 4) ];
	}
	my @missing = sort grep { !$seen{$_} } keys %ref;
	$err->("never received: $_") for @missing[ 0 .. ($#missing < 9 ? $#missing : 9) ];
	push @notes, sprintf("reference %d keys, received %d distinct, %d duplicates, %d missing, %d cut last lines",
		scalar(keys %ref), scalar(grep { exists $ref{$_} } keys %seen), $dups, scalar(@missing), $cut_lines);
	return (\@errors, \@notes, { ref => scalar(keys %ref), duplicates => $dups });
}

1;
