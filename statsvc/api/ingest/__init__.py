"""What the write protocols (InfluxDB, Prometheus) share behind their
controllers: finding or making the resources and metrics they write."""
