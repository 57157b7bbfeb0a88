"""Reads from a mount on behalf of the benchmark, in a separate process.

A job arrives as JSON on stdin; the answer is JSON on stdout. Timing is
taken inside, so interpreter start-up is not counted.
  {"op": "pread", "path": P, "offsets": [...], "size": N}  random reads
  {"op": "files", "paths": [...]}                           whole files, in turn
  {"op": "sample", "path": P, "ranges": [[off, len], ...]}  sha256 of ranges
"""
import hashlib
import json
import os
import sys
import time

job = json.load(sys.stdin)
op = job["op"]
out = {}
start = time.perf_counter()
if op == "pread":
    fd = os.open(job["path"], os.O_RDONLY)
    total = 0
    for off in job["offsets"]:
        total += len(os.pread(fd, job["size"], off))
    os.close(fd)
    out["bytes"] = total
elif op == "files":
    total = 0
    for path in job["paths"]:
        with open(path, "rb", buffering=0) as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                total += len(chunk)
    out["bytes"] = total
elif op == "sample":
    fd = os.open(job["path"], os.O_RDONLY)
    out["hashes"] = [hashlib.sha256(os.pread(fd, n, off)).hexdigest() for off, n in job["ranges"]]
    os.close(fd)
else:
    sys.exit("unknown op " + op)
out["seconds"] = time.perf_counter() - start
print(json.dumps(out))
