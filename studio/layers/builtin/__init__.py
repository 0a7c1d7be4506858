"""The built-in layer declarations, one module per category."""
