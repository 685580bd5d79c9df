#!/usr/bin/env python3
"""Compares what consumers of a slot received with a reference stream.

  compare.py REFERENCE START_LSN:FILE [START_LSN:FILE ...]

REFERENCE: the whole stream of the same changes, read through SQL from a
second slot created together with the tested one and never read before
(same options, include-transaction on). Each FILE is what one consumer
(pg_recvlogical run or SQL call) received, in the order they ran;
START_LSN is the slot's confirmed_flush_lsn when that consumer started.

Checks:
  - every line of every file is in the reference, byte-identical, under the
    same key: (commit_lsn, seq) for changes, (commit_lsn, op) for begin/commit;
  - nothing is sent from before the slot's position: every transaction a consumer
    receives has commit_lsn >= its START_LSN;
  - a consumer never receives the same key twice; a key received again by a later
    consumer (a duplicate) is identical and lies after that consumer's START_LSN;
  - together the consumers received every key of the reference (nothing lost);
  - what a consumer confirmed, it received: every key of the reference with
    START_LSN of this run <= commit_lsn < START_LSN of the next run (the
    position this run left the slot at) is in this run's file. (After a server
    crash the slot may restart from an earlier position than the one last
    confirmed: PostgreSQL keeps confirmed_flush_lsn in memory between
    checkpoints. The next run's START_LSN is then lower and the range empty;
    the changes are sent again, from the slot's position.)
A file's last line without a newline (the consumer was killed in the middle of
writing it) is ignored: it was never confirmed.
Prints counts; exit status 1 on any failure.
"""
import json
import sys


def lsn(s):
    hi, lo = s.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def key_of(line):
    j = json.loads(line)
    if "commit_lsn" not in j:
        return None, j  # a non-transactional message: no key
    k = (j["commit_lsn"], j["seq"] if "seq" in j else j["op"])
    return k, j


def main():
    ref_path, runs = sys.argv[1], sys.argv[2:]
    ref = {}
    with open(ref_path, encoding="utf-8") as f:
        for line in f.read().split("\n"):
            if not line:
                continue
            k, _ = key_of(line)
            if k is None:
                continue
            if k in ref:
                print("reference has a duplicate key %s" % (k,))
                return 1
            ref[k] = line
    seen = {}
    files = []
    errors = 0
    total_dup = 0

    def err(msg):
        nonlocal errors
        errors += 1
        if errors <= 20:
            print("FAIL: " + msg)

    for run in runs:
        start_s, path = run.split(":", 1)
        start = lsn(start_s)
        with open(path, encoding="utf-8", errors="strict") as f:
            data = f.read()
        lines = data.split("\n")
        cut = lines.pop()  # after the last newline: empty, or a line cut by a kill
        mine = set()
        dup = new = 0
        for i, line in enumerate(lines):
            if not line:
                continue
            try:
                k, j = key_of(line)
            except ValueError:
                err("%s:%d: not valid JSON: %s" % (path, i + 1, line[:200]))
                continue
            if k is None:
                continue
            if k not in ref:
                err("%s:%d: not in the reference: %s" % (path, i + 1, line[:200]))
                continue
            if ref[k] != line:
                err("%s:%d: differs from the reference:\n  got %s\n  ref %s" % (path, i + 1, line[:300], ref[k][:300]))
            if lsn(k[0]) < start:
                err("%s:%d: transaction %s before the slot's position %s" % (path, i + 1, k[0], start_s))
            if k in mine:
                err("%s:%d: the same consumer received %s twice" % (path, i + 1, k))
            mine.add(k)
            if k in seen:
                dup += 1
            else:
                seen[k] = path
                new += 1
        files.append((start, path, mine))
        total_dup += dup
        print("%s: from %s: %d lines, %d new, %d duplicates%s" % (
            path, start_s, len([l for l in lines if l]), new, dup, ", cut last line ignored" if cut else ""))
    unconfirmed = 0
    for (start, path, mine), (nxt, _, _) in zip(files, files[1:]):
        for k in ref:
            if start <= lsn(k[0]) < nxt and k not in mine:
                unconfirmed += 1
                err("%s: the slot moved past %s, but this consumer never received it" % (path, k))
    missing = [k for k in ref if k not in seen]
    for k in missing[:10]:
        err("never received: %s" % (k,))
    print("reference %d keys, received %d distinct, %d duplicates, %d missing, %d errors" % (
        len(ref), len(seen), total_dup, len(missing), errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
