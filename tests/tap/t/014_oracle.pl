#!/usr/bin/perl
# The randomized correctness oracle (tests/oracle/oracle.py) on a cluster of
# its own: random tables of every built-in type, arrays, domains, enums and
# composites, random transactions and ALTER TABLEs; every line valid JSON of
# the right shape (tests/tools/stream_check, $STREAM_CHECK, built and set by
# make installcheck), every row image equal to to_jsonb of the row, and
# replaying the stream onto empty copies reproduces the tables. One
# assertion per round, named for its seed; the server must not have lost a
# backend to a signal.
#
# By default the fixed rounds CI runs: seed 20261125 (200 transactions, 4
# tables) and seed 7 (120 transactions, 3 tables; 7 mod 5 = 2, so the slot is
# read with stream-changes). Environment, for more:
#   ORACLE_SEED=N      one round with that seed (a failed round prints its seed)
#   ORACLE_ROUNDS=N    N rounds of random seeds
#   ORACLE_TXNS=N, ORACLE_TABLES=N, ORACLE_STREAM=on|off|auto   for those rounds
# e.g. make installcheck REGRESS= ISOLATION= PROVE_TESTS=tests/tap/t/014_oracle.pl \
#        ORACLE_ROUNDS=20 ORACLE_TXNS=1500
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use OutflowTap;

my $check = $ENV{STREAM_CHECK};
my $round_timeout = 900;    # seconds a round may take (CI's take under a minute): a hang fails, not blocks
die "STREAM_CHECK must name tests/tools/stream_check (make installcheck sets it)" unless $check && -x $check;

# The rounds to run: [seed or undef for a random one, oracle.py options].
sub rounds
{
	my @more;
	push @more, '--txns', $ENV{ORACLE_TXNS} if $ENV{ORACLE_TXNS};
	push @more, '--tables', $ENV{ORACLE_TABLES} if $ENV{ORACLE_TABLES};
	push @more, '--stream', $ENV{ORACLE_STREAM} if $ENV{ORACLE_STREAM};
	return ([ $ENV{ORACLE_SEED}, @more ]) if $ENV{ORACLE_SEED};
	return map { [ undef, @more ] } 1 .. $ENV{ORACLE_ROUNDS} if $ENV{ORACLE_ROUNDS};
	return ([ 20261125, '--txns', 200, '--tables', 4 ], [ 7, '--txns', 120, '--tables', 3 ]);
}

my ($node, $dir) = logical_node('oracle', "logical_decoding_work_mem = 64kB\n");

# Runs oracle.py for one round on $node; one assertion, named for the seed
# (the one oracle.py printed for a random round).
sub run_round
{
	my ($seed, @options) = @_;
	local $ENV{PGHOST} = $node->host;
	local $ENV{PGPORT} = $node->port;
	my @cmd = ('python3', 'tests/oracle/oracle.py', '--workdir', $dir, '--check', $check, @options);
	push @cmd, '--seed', $seed if defined $seed;
	my $out;
	my $ok = eval { IPC::Run::run(\@cmd, '>', \$out, '2>&1', IPC::Run::timeout($round_timeout)) };
	$out = ($out // '') . "\noracle.py did not finish within $round_timeout s: $@" if $@;
	my ($printed) = ($out // '') =~ /^oracle: seed (\d+),/m;
	my $name = 'oracle seed ' . ($printed // $seed // '(random)') . (@options ? " @options" : '');
	note $out if $ok;
	ok($ok && $out =~ /^oracle: ok \(seed \d+\)$/m, $name) or diag $out;
}

run_round(@$_) for rounds();

# (read before the server stops: its shutdown logs the launcher's exit code)
unlike(slurp_file($node->logfile),
	qr/server process \(PID \d+\) (?:was terminated by signal|was terminated by exception|exited with exit code)|PANIC:  |^TRAP: /m,
	'the server log shows no crashed or aborted backend');
$node->stop;
done_testing();
