"""Reading non-JSON request bodies (ingest protocols) with the configured
limit, whether sent with a length, chunked, or gzip-encoded."""
import zlib

from statsvc.api.errors import ApiError

try:
    import uwsgi
except ImportError:  # webtest and other WSGI servers
    uwsgi = None


def read_raw(request, max_size, own_encoding=None):
    """The body as bytes, decoded from ``Content-Encoding: gzip``; one in
    ``own_encoding`` (which the caller decodes) is left as it is.

    A chunked body (``Transfer-Encoding: chunked``, as Telegraf and
    ``influxdb-client`` may send) is read through uwsgi's chunked reader,
    since uwsgi's ``wsgi.input`` reads nothing of it; elsewhere from
    ``wsgi.input``. 413 over ``max_size`` bytes, before or after
    decompression.
    """
    length = request.content_length
    if length is not None and length > max_size:
        raise _too_large(max_size)
    chunked = request.headers.get("Transfer-Encoding", "").lower() == \
        "chunked"
    if chunked and uwsgi is not None and \
            not request.environ.get("wsgi.input_terminated"):
        raw = _read_chunks(max_size)
    elif chunked:
        raw = request.body_file_raw.read(max_size + 1)
    else:
        # Not body_file: pecan may have read a form-encoded body already
        # (``curl -d`` sends line protocol so); ``body`` rewinds it.
        raw = request.body
    if len(raw) > max_size:
        raise _too_large(max_size)
    encoding = request.headers.get("Content-Encoding", "").lower()
    if encoding == "gzip":
        return _gunzip(raw, max_size)
    if encoding not in ("", "identity", own_encoding):
        raise ApiError(415, f"Content-Encoding {encoding!r} is not "
                            f"supported here")
    return raw


def _read_chunks(max_size):
    parts, size = [], 0
    while size <= max_size:
        try:
            chunk = uwsgi.chunked_read()
        except OSError as e:
            raise ApiError(400, f"Malformed chunked body: {e}") from None
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _gunzip(raw, max_size):
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(raw, max_size + 1)
    except zlib.error as e:
        raise ApiError(400, f"Malformed gzip body: {e}") from None
    if len(data) > max_size:
        raise _too_large(max_size)
    if not decompressor.eof:
        raise ApiError(400, "Malformed gzip body: truncated")
    return data


def _too_large(max_size):
    return ApiError(413, f"Request body exceeds the limit of {max_size} "
                         f"bytes")
