"""Loaders for the user's files: image folders, CSV/TSV, NumPy, MNIST IDX, CIFAR-10 batches."""
