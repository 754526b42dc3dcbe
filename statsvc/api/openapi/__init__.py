"""The OpenAPI document of the API, assembled from one module per area."""
