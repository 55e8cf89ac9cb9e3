"""cocok HTTP service."""
