"""Built-in datasets: generated, or shipped with an installed package (no downloads)."""
