"""Resources through the API: who sees them, the metrics they name, their
history and their queries."""
