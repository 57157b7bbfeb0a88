"""Loaded by the moto server the benchmark starts (PYTHONPATH), nowhere else.

moto keeps each object in a file-like buffer and answers every GET, ranged
or not, by copying the whole buffer into a new bytes object and slicing
that. A 64 KiB ranged GET of a 256 MiB object then costs about as much as
reading all of it (~0.5 s here), which would make any reader that fetches
blocks look far slower than it is against S3, where a range costs what it
holds. Here each object's bytes are kept once, immutable, when it is
written, so a GET slices them without copying the whole. Everything else
moto does (versions, listings, headers, ranges, errors) is unchanged.
"""
try:
    from moto.s3 import models as _models
except ImportError:  # not the moto server after all
    _models = None

if _models is not None:
    _plain = _models.FakeKey.value

    def _get(self):
        kept = self.__dict__.get("_bench_bytes")
        return kept if kept is not None else _plain.fget(self)

    def _set(self, new_value):
        _plain.fset(self, new_value)
        # Read back what the setter stored (it encodes text); the key's lock
        # does not exist yet when its constructor sets the first value.
        self._value_buffer.seek(0)
        self.__dict__["_bench_bytes"] = self._value_buffer.read()

    _models.FakeKey.value = property(_get, _set)
