"""Reading JSON request bodies with the configured limits."""
import orjson

from statsvc.api.errors import ApiError


def read_json(request, max_size, content_type="application/json"):
    """Return the decoded JSON body, or raise a 4xx :class:`ApiError`.

    415 unless the content type is ``content_type`` (or none), 413 over
    ``max_size`` bytes, 400 for malformed JSON.
    """
    if request.content_type not in (content_type, ""):
        raise ApiError(415, f"Content-Type must be {content_type}, "
                            f"got {request.content_type}")
    length = request.content_length
    if length is not None and length > max_size:
        raise ApiError(413, f"Request body of {length} bytes exceeds the "
                            f"limit of {max_size} bytes")
    raw = request.body_file.read(max_size + 1)
    if len(raw) > max_size:
        raise ApiError(413, f"Request body exceeds the limit of {max_size} "
                            f"bytes")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise ApiError(400, f"Malformed JSON body: {e}")
