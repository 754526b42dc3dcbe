"""Ingest protocols other tools speak (InfluxDB line protocol, Prometheus
remote_write), parsed and mapped onto resources and metrics as Gnocchi 4.x
maps them. Nothing here knows HTTP or storage."""
