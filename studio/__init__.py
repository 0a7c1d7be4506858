"""NetStudio: design, train and understand neural networks."""

__version__ = "0.2.4"
