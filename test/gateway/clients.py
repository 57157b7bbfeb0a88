"""Reads views through the InfinStor S3 gateway with a real client.

Usage: python clients.py CLIENT < job.json > result.json, where CLIENT is
boto3, pyarrow, polars or presign, and job.json holds the endpoint, the
key, the bucket and the views to read: [{"id", "spec", "form"}], form
"key" (s3://bucket/@spec/...) or "path" (endpoint http://host/@spec).
The result maps each view id to {key: sha256 of its bytes} (polars: to
{key: rows}; presign: to {key: presigned GET URL}), keys relative to the
view, so the test compares them with its oracle.
"""
import hashlib
import json
import sys


def sha(data):
    return hashlib.sha256(data).hexdigest()


def endpoint_of(job, view):
    return job["endpoint"] + ("/@" + view["spec"] if view["form"] == "path" else "")


def base_of(view):
    return "@" + view["spec"] + "/" if view["form"] == "key" else ""


def boto3_client(job, view):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=endpoint_of(job, view), region_name=job.get("region", "us-east-1"),
        aws_access_key_id=job["key"], aws_secret_access_key=job["secret"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}))


def with_boto3(job, view):
    s3 = boto3_client(job, view)
    base = base_of(view)
    out = {}
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=job["bucket"], Prefix=base, PaginationConfig={"PageSize": 3})
    for page in pages:
        for obj in page.get("Contents", []):
            body = s3.get_object(Bucket=job["bucket"], Key=obj["Key"])["Body"].read()
            assert len(body) == obj["Size"], obj["Key"]
            out[obj["Key"][len(base):]] = sha(body)
    return out


def with_presign(job, view):
    s3 = boto3_client(job, view)
    base = base_of(view)
    out = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=job["bucket"], Prefix=base):
        for obj in page.get("Contents", []):
            out[obj["Key"][len(base):]] = s3.generate_presigned_url(
                "get_object", Params={"Bucket": job["bucket"], "Key": obj["Key"]}, ExpiresIn=300)
    return out


def path_like(key):
    """pyarrow refuses keys with an empty, '.' or '..' segment ("Empty path component"); they are not read."""
    return not any(seg in ("", ".", "..") for seg in key.split("/"))


def with_pyarrow(job, view):
    from pyarrow import fs
    s3 = fs.S3FileSystem(access_key=job["key"], secret_key=job["secret"], region=job.get("region", "us-east-1"),
                         endpoint_override=endpoint_of(job, view), allow_bucket_creation=False)
    root = job["bucket"] + ("/@" + view["spec"] if view["form"] == "key" else "")
    out = {}
    for info in s3.get_file_info(fs.FileSelector(root, recursive=True, allow_not_found=True)):
        key = info.path[len(root) + 1:]
        if info.type == fs.FileType.File and path_like(key):
            with s3.open_input_stream(info.path) as f:
                out[key] = sha(f.read())
    return out


def with_polars(job, view):
    import polars as pl
    options = {"aws_endpoint_url": endpoint_of(job, view), "aws_access_key_id": job["key"],
               "aws_secret_access_key": job["secret"], "aws_region": job.get("region", "us-east-1"), "aws_allow_http": "true"}
    root = "s3://" + job["bucket"] + "/" + base_of(view)
    try:
        frame = pl.scan_csv(root + "**/*.csv", storage_options=options, include_file_paths="path", schema_overrides={"id": pl.Int64}).collect()
    except pl.exceptions.ComputeError as e:
        if "expanded paths were empty" in str(e):
            return {}
        raise
    out = {}
    for row in frame.iter_rows(named=True):
        key = row.pop("path")[len(root):]
        out.setdefault(key, []).append([row["id"], row["value"], row["step"]])
    return out


CLIENTS = {"boto3": with_boto3, "pyarrow": with_pyarrow, "polars": with_polars, "presign": with_presign}

if __name__ == "__main__":
    job = json.load(sys.stdin)
    read = CLIENTS[sys.argv[1]]
    json.dump({view["id"]: read(job, view) for view in job["views"]}, sys.stdout)
