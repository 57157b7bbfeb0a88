"""S3 clients for the gateway benchmark, in a separate process (boto3).

A job arrives as JSON on stdin; the answer is JSON on stdout.
  {"op": "list", "endpoint", "key", "secret", "bucket", "prefixes": [...]}
      ListObjectsV2 (delimiter '/') of each prefix in turn, every page;
      -> {"seconds": [per prefix], "keys": [per prefix]}; timed inside, one client for all
  {"op": "download", "endpoint", "key", "secret", "bucket", "object", "path", "extra"?}
      boto3's download_file (its default parallel ranged GETs; "extra" its ExtraArgs,
      e.g. {"VersionId": ...}) -> {"bytes", "seconds"}
"""
import json
import os
import sys
import time

import boto3
from botocore.config import Config

job = json.load(sys.stdin)
s3 = boto3.client("s3", endpoint_url=job["endpoint"], region_name="us-east-1",
                  aws_access_key_id=job["key"], aws_secret_access_key=job["secret"],
                  config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}))
out = {}
if job["op"] == "list":
    out["seconds"], out["keys"] = [], []
    for prefix in job["prefixes"]:
        start = time.perf_counter()
        keys = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=job["bucket"], Prefix=prefix, Delimiter="/"):
            keys += len(page.get("Contents", []))
        out["seconds"].append(time.perf_counter() - start)
        out["keys"].append(keys)
elif job["op"] == "download":
    start = time.perf_counter()
    s3.download_file(job["bucket"], job["object"], job["path"], ExtraArgs=job.get("extra"))
    out["seconds"] = time.perf_counter() - start
    out["bytes"] = os.path.getsize(job["path"])
else:
    raise SystemExit("unknown op " + job["op"])
json.dump(out, sys.stdout)
