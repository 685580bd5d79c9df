"""walsender.py: the decoding tables' second measure (bench.py --walsender).

The first measure peeks through SQL, where PostgreSQL stores every output
message in a tuplestore. Consumers of pgoutput, pg_recvlogical and Kafka
connectors read through the replication protocol instead: a walsender sends
one CopyData message per OutputPluginWrite. This module streams the same WAL
range (a reader's slot start up to `upto`) through
`pg_recvlogical --start -f - -F 0 --no-loop` and times the walsender's time
on a CPU (first field of /proc/<pid>/schedstat, which includes its
connection start, the same for every reader).

Streaming advances a slot, so each round streams from a copy of the reader's
slot (pg_copy_logical_replication_slot), dropped afterwards whatever happens.
The walsender's CPU time is read while it is still alive: one SQL call
(bench_ws_cpu) polls pg_stat_replication for the walsender of a unique
application_name until its sent_lsn reaches `upto`, then reads its schedstat;
only then is pg_recvlogical stopped (SIGINT).
"""

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT_S = 300  # per stream; the error names the reader
PSQL = None  # the psql command line: bench.py sets it

SETUP = r"""
CREATE FUNCTION bench_ws_cpu(app text, upto pg_lsn, timeout_s float8) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    wpid int; sent pg_lsn; seen bool := false; t0 timestamptz := clock_timestamp();
BEGIN
    LOOP
        -- a fresh view of the backends each time: the walsender may connect after the first look
        PERFORM pg_stat_clear_snapshot();
        SELECT pid, sent_lsn INTO wpid, sent FROM pg_stat_replication WHERE application_name = app;
        EXIT WHEN sent >= upto;
        IF wpid IS NOT NULL THEN
            seen := true;
        ELSIF seen THEN
            RAISE EXCEPTION 'the walsender of % exited before sending up to %', app, upto;
        ELSIF clock_timestamp() - t0 > interval '30 s' THEN
            RAISE EXCEPTION 'no walsender of % connected within 30 s', app;
        END IF;
        IF clock_timestamp() - t0 > timeout_s * interval '1 s' THEN
            RAISE EXCEPTION 'the walsender of % did not send up to % within % s (sent: %)',
                app, upto, timeout_s, coalesce(sent::text, 'not connected');
        END IF;
        PERFORM pg_sleep(0.001);
    END LOOP;
    -- on-CPU nanoseconds of the walsender so far (Linux; first field of schedstat)
    RETURN split_part(pg_read_file('/proc/' || wpid || '/schedstat'), ' ', 1)::bigint;
END $$;
"""


class StreamFailed(Exception):
    """A stream that did not complete: its reader, and what went wrong."""


class ByteCounter:
    """Reads a pipe to its end, counting the bytes."""

    def __init__(self, pipe):
        self.pipe = pipe
        self.bytes = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        fd = self.pipe.fileno()
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return
            self.bytes += len(chunk)

    def wait_quiet(self, quiet_s=0.1, limit_s=30):
        """Waits until no byte came for quiet_s (what was sent has arrived)."""
        last, since, t0 = -1, time.time(), time.time()
        while time.time() - t0 < limit_s:
            if self.bytes != last:
                last, since = self.bytes, time.time()
            elif time.time() - since >= quiet_s:
                return
            time.sleep(0.01)


def recvlogical_cmd(slot, opts, *args):
    """pg_recvlogical streaming slot with args, and the plugin options opts
    (name, value, name, value, ...) as -o name=value."""
    cmd = ["pg_recvlogical", "-U", "postgres", "-d", "postgres", "-S", slot, "--start", *args]
    for i in range(0, len(opts), 2):
        cmd += ["-o", f"{opts[i]}={opts[i + 1]}"]
    return cmd


def run_sql(sql):
    """(returncode, stdout, stderr) of one psql call; never exits."""
    r = subprocess.run(PSQL + ["-c", sql], capture_output=True, text=True)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def drop_when_inactive(slot, limit_s=30):
    """Drops a slot once no walsender holds it (it lets go as it exits)."""
    t0 = time.time()
    while True:
        rc, out, err = run_sql(f"SELECT active FROM pg_replication_slots WHERE slot_name = '{slot}'")
        if rc == 0 and out == "":
            return
        if rc == 0 and out == "f":
            rc, out, err = run_sql(f"SELECT pg_drop_replication_slot('{slot}')")
            if rc == 0:
                return
        if time.time() - t0 > limit_s:
            # a warning, not an exit: called from a finally, it must not hide the error being raised
            print(f"bench: warning: could not drop the temporary slot {slot}: {err or 'still active'}",
                  file=sys.stderr)
            return
        time.sleep(0.05)


def stop(p):
    """Stops pg_recvlogical as a user would (SIGINT); kills it if it hangs."""
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def stream_once(reader, src_slot, upto, opts, app):
    """Streams a copy of src_slot up to upto; returns (walsender on-CPU
    seconds, bytes pg_recvlogical wrote)."""
    tmp = src_slot + "_ws"
    rc, _, err = run_sql(f"SELECT 'x' FROM pg_copy_logical_replication_slot('{src_slot}', '{tmp}')")
    if rc != 0:
        raise StreamFailed(f"{reader}: could not copy slot {src_slot}: {err}")
    p = None
    try:
        with tempfile.TemporaryFile() as errf:
            p = subprocess.Popen(recvlogical_cmd(tmp, opts, "-f", "-", "-F", "0", "--no-loop"), stdout=subprocess.PIPE, stderr=errf,
                                 env=dict(os.environ, PGAPPNAME=app))
            counter = ByteCounter(p.stdout)
            rc, out, err = run_sql(f"SELECT bench_ws_cpu('{app}', '{upto}', {TIMEOUT_S})")
            if rc != 0:
                stop(p)
                errf.seek(0)
                said = errf.read().decode(errors="replace")
                raise StreamFailed(f"{reader}: {err}\nstderr of pg_recvlogical: {said}")
            counter.wait_quiet()
            stop(p)
            counter.thread.join(timeout=30)
            return int(out) / 1e9, counter.bytes
    finally:
        if p is not None and p.poll() is None:
            p.kill()
            p.wait()
        drop_when_inactive(tmp)


def measure(tag, upto, rounds, quiet, readers, slot_name, sql_res):
    """Rounds over the readers (the order rotating as in the SQL measure);
    {reader: (median s, bytes received, [s per round])}. The bytes received
    are what pg_recvlogical wrote less the newline it adds after each
    message (as many as the SQL measure's rows, sql_res[reader][1])."""
    res = {name: [] for name, _, _, _ in readers}
    nbytes = {}
    order = list(readers)
    for r in range(rounds):
        for name, _, _, opts in order:
            app = "bench_ws_" + slot_name(tag, name)
            try:
                secs, nbytes[name] = stream_once(name, slot_name(tag, name), upto, opts, app)
            except StreamFailed as e:
                sys.exit(f"bench: walsender measure failed: {e}")
            res[name].append(secs)
            if not quiet:
                print(f"    walsender round {r + 1} {name:22s} {secs:8.3f} s", file=sys.stderr)
        order = order[1:] + order[:1]
    out = {name: (statistics.median(v), nbytes[name] - sql_res[name][1], v) for name, v in res.items()}
    warn_if_odd(tag, out, sql_res)
    return out


def warn_if_odd(tag, res, sql_res):
    """Warns (stderr) when the measure does not look sane: the floor not the
    cheapest, a reader's rounds spread over more than 10% (and 5 ms), or
    other bytes received than the SQL measure returned."""
    fl = res["floor"][0]
    for name, (med, nbytes, v) in res.items():
        if name != "floor" and med <= fl:
            print(f"bench: warning: {tag}: walsender time of {name} ({med:.3f} s) <= floor ({fl:.3f} s)",
                  file=sys.stderr)
        if nbytes != sql_res[name][2]:
            print(f"bench: warning: {tag}: {name} sent {nbytes} bytes through the walsender, "
                  f"{sql_res[name][2]} through SQL", file=sys.stderr)
        if len(v) > 1 and (max(v) - min(v)) / med > 0.10 and max(v) - min(v) > 0.005:
            print(f"bench: warning: {tag}: walsender rounds of {name} spread over "
                  f"{(max(v) - min(v)) / med:.0%}: {', '.join(f'{s:.3f}' for s in v)}", file=sys.stderr)


def fmt_table(wname, res, readers):
    base = res["pgoutput"][0]
    w2j = res["wal2json v2"][0]
    fl = res["floor"][0]
    lines = [f"#### {wname}: through the replication protocol (walsender on-CPU s, "
             "its connection start included)", "",
             "| reader | median s | output MB | / pgoutput | / wal2json v2 | / floor | s over floor |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, _, _, _ in readers:
        med, nbytes, _ = res[name]
        lines.append(f"| {name} | {med:.3f} | {nbytes / 1e6:.1f} | {med / base:.2f} | {med / w2j:.2f} "
                     f"| {med / fl:.2f} | {med - fl:.3f} |")
    lines.append("")
    return "\n".join(lines)


def as_json(res):
    return {name: {"median_s": med, "bytes": nbytes, "rounds_s": v} for name, (med, nbytes, v) in res.items()}

