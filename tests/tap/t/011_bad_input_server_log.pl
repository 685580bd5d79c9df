#!/usr/bin/perl
# Bad input against a server whose log we can read: replays the pg_regress
# files sql/bad_input.sql and sql/option_errors.sql (malformed and unknown
# options, stray escapes, 1 MB values, missing publications, the SQL API with
# NULLs and wrong types, columns of dropped types and extensions) on a fresh
# cluster, the way pg_regress runs them, and checks
#   - the output is the expected one (expected/NAME.out or an alternative
#     NAME_N.out): each bad input is its ERROR, and the slots still stream
#     their changes afterwards;
#   - psql never lost its connection, and the server log shows no crashed or
#     aborted backend (terminated by a signal or an exception, an abnormal
#     exit, PANIC, a failed assertion);
#   - the log holds the ERRORs the files provoke (the replay really ran).
use strict;
use warnings;
use Cwd qw(abs_path);
use File::Basename qw(dirname);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use OutflowTap;

my $root = abs_path(dirname(__FILE__) . '/../../..');
my $min_errors = 100;    # the two files provoke more than this many ERRORs

# No statement logging (the files send 1 MB values, and a statement's text
# must not pass for a crash or an ERROR): the log holds what the server said.
# The line prefix is set here, as the ERROR count below reads it (the test
# modules of 19 add the process type to their default).
my ($node, $dir) = logical_node('bad_input',
	"log_statement = none\nlog_min_messages = warning\nlog_line_prefix = '%m [%p] %q%a '\n");
my $db = 'contrib_regression';

# The database as pg_regress makes it (--load-extension=outflow).
$node->safe_psql('postgres', qq{CREATE DATABASE $db TEMPLATE = template0});
$node->safe_psql($db, qq{
ALTER DATABASE $db SET lc_messages TO 'C'; ALTER DATABASE $db SET lc_monetary TO 'C';
ALTER DATABASE $db SET lc_numeric TO 'C'; ALTER DATABASE $db SET lc_time TO 'C';
ALTER DATABASE $db SET bytea_output TO 'hex'; ALTER DATABASE $db SET timezone_abbreviations TO 'Default';
CREATE EXTENSION outflow;});

# Runs sql/$name.sql as pg_regress does (psql -a -q from stdin, in the
# source directory for \i sql/include/..., its environment), stdout and
# stderr together into $file; returns the output.
sub run_like_pg_regress
{
	my ($name, $file) = @_;
	local $ENV{PGAPPNAME} = 'pg_regress';
	local $ENV{LC_MESSAGES} = 'C';
	local $ENV{PGTZ} = 'PST8PDT';
	local $ENV{PGDATESTYLE} = 'Postgres, MDY';
	local $ENV{PGOPTIONS} = '-c intervalstyle=postgres_verbose';
	delete local $ENV{LANGUAGE};
	delete local $ENV{LC_ALL};
	IPC::Run::run(
		[
			'psql', '-X', '-a', '-q', '-d', $node->connstr($db),
			'-v', 'HIDE_TABLEAM=on', '-v', 'HIDE_TOAST_COMPRESSION=on'
		],
		'<', "$root/sql/$name.sql", '>', $file, '2>&1',
		init => sub { chdir $root or die "chdir $root: $!"; },
		IPC::Run::timeout(2 * $PostgreSQL::Test::Utils::timeout_default));
	return slurp_file($file);
}

# The expected file the output equals ('' when none does), as pg_regress
# chooses among expected/$name.out and expected/${name}_N.out.
sub matching_expected
{
	my ($name, $out) = @_;
	for my $e (grep { -f } "$root/expected/$name.out", map { "$root/expected/${name}_$_.out" } 0 .. 9)
	{
		return $e if slurp_file($e) eq $out;
	}
	return '';
}

for my $name (qw(bad_input option_errors))
{
	my $file = "$dir/$name.out";
	my $out = run_like_pg_regress($name, $file);
	my $same = matching_expected($name, $out);
	my @diff = split /\n/, `diff -u '$root/expected/$name.out' '$file'`;
	splice(@diff, 60) if @diff > 60;
	ok($same ne '', "sql/$name.sql: output equals expected/$name.out or an alternative")
	  or diag "output in $file; against expected/$name.out:\n" . join("\n", @diff);
	unlike($out, qr/connection to server was lost|server closed the connection unexpectedly/,
		"sql/$name.sql: psql kept its connection");
}

my $log = slurp_file($node->logfile);
my @crashes = grep {
	/terminated by signal|was terminated by exception|exited with exit code|PANIC|TRAP:|server process .* was terminated/
} split /\n/, $log;
is(join("\n", @crashes), '', 'the server log shows no crashed or aborted backend');
# lines whose level is ERROR (after the prefix '%m [%p] %q%a ')
my $errors = () = $log =~ /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+ \S+ \[\d+\] \S* ?ERROR:  /mg;
cmp_ok($errors, '>=', $min_errors, "the server log holds the ERRORs of the replay ($errors, at least $min_errors)");

$node->stop;
done_testing();
