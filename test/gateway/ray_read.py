"""Ray Data reads Parquet through the InfinStor S3 gateway, on a local Ray
cluster with several workers.

  python ray_read.py parquet < {"files": {name: [[id, value], ...]}}
      -> {name: base64 Parquet bytes}   (the test writes them to S3 itself)
  python ray_read.py read < {"endpoint", "key", "secret", "reads": [{"id", "endpoint_suffix", "path", "spread"}]}
      -> {id: {"rows": [[id, value, file], ...], "pids": [worker pids that read]}}

Ray 2.58's default Parquet datasource (V2) reads a few small files in one
task. A read with "spread" uses the V1 datasource (one task per file) with
resource reservation off, so the files are read by several workers at once.
"""
import base64
import io
import json
import os
import sys
import time


def parquet(job):
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = {}
    for name, rows in job["files"].items():
        table = pa.table({"id": [r[0] for r in rows], "value": [r[1] for r in rows], "file": [name] * len(rows)})
        buf = io.BytesIO()
        pq.write_table(table, buf)
        out[name] = base64.b64encode(buf.getvalue()).decode()
    return out


def read(job):
    import ray
    from pyarrow import fs
    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False, configure_logging=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    ctx = ray.data.DataContext.get_current()
    out = {}
    try:
        for r in job["reads"]:
            ctx.use_datasource_v2 = not r["spread"]
            ctx.op_resource_reservation_enabled = not r["spread"]
            s3 = fs.S3FileSystem(access_key=job["key"], secret_key=job["secret"], region="us-east-1",
                                 endpoint_override=job["endpoint"] + r["endpoint_suffix"], allow_bucket_creation=False)
            ds = ray.data.read_parquet(r["path"], filesystem=s3, override_num_blocks=r["blocks"])

            def tag(batch):
                # Fused with the read, so the pid is the reading worker's; the pause lets
                # Ray run the blocks side by side instead of one after another in one worker.
                time.sleep(1)
                batch["pid"] = [os.getpid()] * len(batch["id"])
                return batch

            rows = ds.map_batches(tag, batch_size=None, batch_format="numpy").take_all()
            out[r["id"]] = {"rows": sorted([int(x["id"]), int(x["value"]), str(x["file"])] for x in rows),
                            "pids": sorted({int(x["pid"]) for x in rows})}
    finally:
        ray.shutdown()
    return out


if __name__ == "__main__":
    job = json.load(sys.stdin)
    json.dump({"parquet": parquet, "read": read}[sys.argv[1]](job), sys.stdout)
