"""HTTP layer: routers translate requests to use-case calls and results back to JSON."""
