"""streaming.py: the benchmark of stream-changes (bench.py --stream-rows).

One transaction inserts N rows. Two live pg_recvlogical consumers of outflow's
native format follow it from their own slots while it runs, one with
stream-changes, one without:
  - latency: seconds from the transaction's first change being written (the
    INSERT starting) to the consumer's first byte, and to its last (the
    transaction complete);
  - walsender peak memory (VmHWM, sampled every 50 ms);
  - bytes spilled to disk (pg_stat_replication_slots).
Then the same WAL is decoded again by two fresh pg_recvlogical runs (streaming
on and off) up to a fixed end position: throughput, memory and spill of the
decoding alone.
"""

import os
import subprocess
import threading
import time

END_MARK = b'"prefix":"bench","content":"stream-end"'


class Consumer:
    """A live pg_recvlogical writing to a pipe: when its first and last bytes came."""

    def __init__(self, slot, opts, psql):
        cmd = ["pg_recvlogical", "-U", "postgres", "-d", "postgres", "-S", slot, "--start",
               "-f", "-", "--no-loop", "-s", "1"]
        for k, v in opts:
            cmd += ["-o", f"{k}={v}"]
        self.slot = slot
        self.psql = psql
        self.first = None
        self.done = None
        self.bytes = 0
        self.peak_kb = 0
        self.pid = None
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        tail = b""
        while True:
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                return
            now = time.time()
            if self.first is None:
                self.first = now
            self.bytes += len(chunk)
            tail = (tail + chunk)[-4096:]
            if END_MARK in tail and self.done is None:
                self.done = now

    def sample(self):
        """Notes the walsender's peak memory (its pid once the slot is active)."""
        if self.pid is None:
            out = self.psql(f"SELECT active_pid FROM pg_replication_slots WHERE slot_name = '{self.slot}'")
            self.pid = int(out) if out else None
        if self.pid is not None:
            try:
                with open(f"/proc/{self.pid}/status") as f:
                    for line in f:
                        if line.startswith("VmHWM:"):
                            self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except OSError:
                pass

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=60)
        self.reader.join(timeout=60)


def spilled(psql, slot):
    """(spill_bytes, stream_txns) of a slot."""
    out = psql(f"SELECT spill_bytes, stream_txns FROM pg_stat_replication_slots WHERE slot_name = '{slot}'")
    b, s = out.split("|")
    return int(b), int(s)


def wait_stats(psql, slot, timeout=30):
    """Statistics reach pg_stat_replication_slots after the walsender reports them."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if psql(f"SELECT total_txns > 0 FROM pg_stat_replication_slots WHERE slot_name = '{slot}'") == "t":
            return
        time.sleep(0.2)


def live(rows, psql):
    """The live part: two consumers during the transaction."""
    psql("DROP TABLE IF EXISTS stream_big")
    psql("CREATE TABLE stream_big (id bigint PRIMARY KEY, t text, n numeric, ts timestamptz)")
    psql("CHECKPOINT")
    slots = {"streaming": "bench_stream_on", "not streaming": "bench_stream_off"}
    for slot in slots.values():
        psql(f"SELECT 'x' FROM pg_create_logical_replication_slot('{slot}', 'outflow')")
    start = psql("SELECT pg_current_wal_lsn()")
    consumers = {
        "streaming": Consumer(slots["streaming"], [("stream-changes", "on")], psql),
        "not streaming": Consumer(slots["not streaming"], [], psql),
    }
    for c in consumers.values():
        while c.pid is None:
            c.sample()
            time.sleep(0.05)
    insert = subprocess.Popen(["psql", "-X", "-q", "-U", "postgres", "-d", "postgres", "-c",
                               f"INSERT INTO stream_big SELECT g, 'row ' || g, g * 1.5, "
                               f"timestamptz '2026-01-01+00' + g * interval '1 ms' "
                               f"FROM generate_series(1, {rows}) g"])
    t0 = time.time()
    committed = None
    while any(c.done is None for c in consumers.values()):
        for c in consumers.values():
            c.sample()
        if committed is None and insert.poll() is not None:
            committed = time.time()
            if insert.returncode != 0:
                raise SystemExit("bench: the streaming benchmark's INSERT failed")
            psql("SELECT pg_logical_emit_message(false, 'bench', 'stream-end')")
        if time.time() - t0 > 3600:
            raise SystemExit("bench: the streaming benchmark took over an hour")
        time.sleep(0.05)
    end = psql("SELECT pg_current_wal_lsn()")
    for c in consumers.values():
        c.stop()
    out = {"rows": rows, "insert_s": committed - t0, "start": start, "end": end}
    for name, c in consumers.items():
        wait_stats(psql, c.slot)
        spill, streamed = spilled(psql, c.slot)
        out[name] = {"first_s": c.first - t0, "complete_s": c.done - t0, "after_commit_s": c.done - committed,
                     "peak_mb": c.peak_kb / 1024.0, "spill_mb": spill / 1e6, "stream_txns": streamed,
                     "output_mb": c.bytes / 1e6}
    for slot in slots.values():
        psql(f"SELECT pg_drop_replication_slot('{slot}')")
    return out


def replay(out, psql, stream_peak):
    """The same WAL decoded again, streaming on and off: seconds, peak memory, spill."""
    res = {}
    for name, opts in (("streaming", ["stream-changes", "on"]), ("not streaming", [])):
        slot = "bench_replay_" + ("on" if opts else "off")
        # a slot that starts where the live ones started: copy needs a source; make one at start instead
        psql(f"SELECT 'x' FROM pg_copy_logical_replication_slot('bench_stream_src', '{slot}')")
        secs, peak = stream_peak(slot, out["end"], opts, timeout=3600)
        wait_stats(psql, slot)
        spill, streamed = spilled(psql, slot)
        res[name] = {"seconds": secs, "peak_mb": peak, "spill_mb": spill / 1e6, "stream_txns": streamed}
        psql(f"SELECT pg_drop_replication_slot('{slot}')")
    return res


def streaming_test(rows, psql, stream_peak):
    """Both parts; a source slot created before the transaction lets the replay start there."""
    psql("SELECT 'x' FROM pg_create_logical_replication_slot('bench_stream_src', 'outflow')")
    out = live(rows, psql)
    out["replay"] = replay(out, psql, stream_peak)
    psql("SELECT pg_drop_replication_slot('bench_stream_src')")
    psql("DROP TABLE stream_big")
    return out


def fmt(out):
    """The tables for README Performance."""
    rows = out["rows"]
    lines = [f"#### stream-changes: one transaction of {rows:,} rows (the INSERT took {out['insert_s']:.1f} s), "
             "outflow native, logical_decoding_work_mem = 64MB", "",
             "Live, pg_recvlogical following the slot while the transaction runs (seconds from the INSERT's start):", "",
             "| consumer | first line | transaction complete | after the commit | walsender peak MB | spilled MB | streamed txns | output MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name in ("streaming", "not streaming"):
        r = out[name]
        lines.append(f"| {name} | {r['first_s']:.1f} | {r['complete_s']:.1f} | {r['after_commit_s']:.1f} | "
                     f"{r['peak_mb']:.0f} | {r['spill_mb']:.0f} | {r['stream_txns']} | {r['output_mb']:.0f} |")
    lines += ["", "The same WAL decoded again (pg_recvlogical to /dev/null up to a fixed end):", "",
              "| consumer | seconds | rows/s | walsender peak MB | spilled MB | streamed txns |",
              "|---|---:|---:|---:|---:|---:|"]
    for name in ("streaming", "not streaming"):
        r = out["replay"][name]
        lines.append(f"| {name} | {r['seconds']:.1f} | {rows / r['seconds']:,.0f} | {r['peak_mb']:.0f} | "
                     f"{r['spill_mb']:.0f} | {r['stream_txns']} |")
    lines.append("")
    return "\n".join(lines)
