"""Loaded by the moto server the benchmark starts (PYTHONPATH), nowhere else.

Two costs of moto (5.x) that S3 does not have would otherwise decide the
benchmark:

- Every GET, ranged or not, copies the whole object out of its buffer before
  slicing the range: a 64 KiB read of a 256 MiB object costs ~0.5 s. Here an
  object's bytes are read out once and kept (they never change), so a GET
  slices them without copying the whole.
- Every ListObjectVersions page deep-copies every version of every key in the
  bucket, object bytes included, to flag `is_latest` on the copies: a listing
  costs O(bytes in the bucket), and concurrent listings of a bucket holding a
  few big versions ran moto out of memory. Here the copy shares the bytes.

Versions, listings, headers, ranges and errors are unchanged.
"""
import tempfile
import threading

try:
    from moto.s3 import models as _models
except ImportError:  # some other Python program; leave it alone
    _models = None

if _models is not None:
    _Key = _models.FakeKey
    _plain_value = _Key.value
    _plain_dispose = _Key.dispose

    def _get(self):
        kept = self.__dict__.get("_bench_bytes")
        if kept is None:
            kept = _plain_value.fget(self)
            self.__dict__["_bench_bytes"] = kept
        return kept

    def _set(self, new_value):
        if self.__dict__.pop("_bench_twin", False):
            # A listing's copy being given bytes of its own: detach it first.
            self._value_buffer = tempfile.SpooledTemporaryFile(self._max_buffer_size)
            self.lock = threading.Lock()
        self.__dict__.pop("_bench_bytes", None)
        _plain_value.fset(self, new_value)

    def _twin(self, memo):
        twin = object.__new__(type(self))
        twin.__dict__.update(self.__dict__)
        twin.__dict__["_bench_twin"] = True
        memo[id(self)] = twin
        return twin

    def _dispose(self, garbage=False):
        # A copy shares its original's buffer, which must stay open.
        if not self.__dict__.get("_bench_twin", False):
            _plain_dispose(self, garbage)

    _Key.value = property(_get, _set)
    _Key.__deepcopy__ = _twin
    _Key.dispose = _dispose
