"""cocok matching engine."""
