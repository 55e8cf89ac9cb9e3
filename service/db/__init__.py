"""Persistence: the database is the source of truth; every vector index is derived from it."""
