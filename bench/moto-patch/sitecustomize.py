"""Loaded by the moto server the benchmark starts (PYTHONPATH), nowhere else.

Two costs of moto (5.x) that S3 does not have would otherwise decide the
benchmark:

- Every GET, ranged or not, copies the whole object out of its buffer before
  slicing the range: a 64 KiB read of a 256 MiB object costs ~0.5 s. Here an
  object's bytes are read out once and kept (they never change), so a GET
  slices them without copying the whole, and a large range is sent a slice
  at a time rather than copied whole into fresh memory.
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

    from moto.s3 import responses as _responses

    _plain_range = _responses.S3Response._handle_range_header
    # A ranged GET is sent in slices this big: each is a small copy that
    # reuses freed memory.
    _RANGE_SLICE = 1024 * 1024

    class _Slices:
        """Bytes [start, stop) of an object, handed to the server a slice at
        a time. Slicing a whole range at once copies it into fresh memory,
        whose page faults cost moto more CPU than sending it: about 1 s per
        256 MiB on these machines, a cost S3 does not have."""

        def __init__(self, data, start, stop):
            self.data, self.start, self.stop = data, start, stop

        def __len__(self):
            return self.stop - self.start

        def __iter__(self):
            for at in range(self.start, self.stop, _RANGE_SLICE):
                yield self.data[at:min(at + _RANGE_SLICE, self.stop)]

    class _Sliceable:
        def __init__(self, data):
            self.data = data

        def __len__(self):
            return len(self.data)

        def __getitem__(self, s):
            start, stop, _ = s.indices(len(self.data))
            return _Slices(self.data, start, stop)

    def _range(self, request, response_headers, response_content):
        if isinstance(response_content, bytes) and request.method != "HEAD":
            response_content = _Sliceable(response_content)
        status, headers, content = _plain_range(self, request, response_headers, response_content)
        # Requests served whole get their bytes back as they were.
        return status, headers, content.data if isinstance(content, _Sliceable) else content

    _responses.S3Response._handle_range_header = _range


# An S3-like network, switched on and off at run time (the bench writes its
# datasets at loopback speed, then reads under each profile):
#   GET /_bench/network?rate=BYTES_PER_S&delay=SECONDS
# On S3 one connection delivers tens of MB/s after a first-byte latency of
# tens of milliseconds; moto on loopback has neither limit. Both are added
# by sleeping in the request's thread, so they cost the server no CPU.
# rate=0 and delay=0 (the default) is plain loopback.
#   GET /_bench/sent
# answers the bytes moto has written to its connections so far, heads and
# bodies (how much a read fetched, whoever the client).
#   GET /_bench/requests
# answers the requests moto has been sent so far, and how many of them
# asked for a Range (a read's GETs: one per part, or one per small read).
import time
import urllib.parse

try:
    from werkzeug import serving as _serving
except ImportError:
    _serving = None

_network = {"rate": 0.0, "delay": 0.0}
_sent = {"bytes": 0, "requests": 0, "ranged": 0}
_sent_lock = threading.Lock()
# Paced in slices this big: fine enough that a reader sees a steady stream.
_SLICE = 256 * 1024


class _PacedWriter:
    """A connection's writer that sends at most `rate` bytes a second,
    counted from its first byte; moto closes every connection after one
    response, so this caps each response's rate."""

    def __init__(self, inner, rate):
        self._inner = inner
        self._rate = rate
        self._start = None
        self._sent = 0

    def write(self, b):
        view = memoryview(b).cast("B")
        if self._start is None:
            self._start = time.monotonic()
        for at in range(0, len(view), _SLICE):
            part = view[at:at + _SLICE]
            self._inner.write(part)
            self._sent += len(part)
            wait = self._start + self._sent / self._rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        return len(view)

    def __getattr__(self, name):
        return getattr(self._inner, name)


class _CountingWriter:
    """A connection's writer that adds what it writes to _sent."""

    def __init__(self, inner):
        self._inner = inner

    def write(self, b):
        n = self._inner.write(b)
        with _sent_lock:
            _sent["bytes"] += memoryview(b).nbytes
        return n

    def __getattr__(self, name):
        return getattr(self._inner, name)


def _answer(handler, body):
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(body)


if _serving is not None:
    _Handler = _serving.WSGIRequestHandler
    _plain_setup = _Handler.setup
    _plain_run_wsgi = _Handler.run_wsgi

    def _setup(self):
        _plain_setup(self)
        self.wfile = _CountingWriter(self.wfile)
        if _network["rate"] > 0:
            self.wfile = _PacedWriter(self.wfile, _network["rate"])

    def _run_wsgi(self):
        if self.path.startswith("/_bench/network"):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            for name in ("rate", "delay"):
                if name in query:
                    _network[name] = max(0.0, float(query[name][0]))
            _answer(self, ("%(rate)s %(delay)s\n" % _network).encode())
            return
        if self.path.startswith("/_bench/sent"):
            _answer(self, ("%d\n" % _sent["bytes"]).encode())
            return
        if self.path.startswith("/_bench/requests"):
            _answer(self, ("%(requests)d %(ranged)d\n" % _sent).encode())
            return
        with _sent_lock:
            _sent["requests"] += 1
            if self.headers.get("Range") is not None:
                _sent["ranged"] += 1
        if _network["delay"] > 0:
            time.sleep(_network["delay"])
        _plain_run_wsgi(self)

    _Handler.setup = _setup
    _Handler.run_wsgi = _run_wsgi
