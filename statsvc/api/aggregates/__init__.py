"""``/v1/aggregates`` behind its controller: parsing the request, the
series it reads, the resources it groups."""
