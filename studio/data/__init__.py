"""Datasets for training: built-in sets, the user's files, splits, normalisation, augmentation.

Entry points: :func:`load_dataset` (a project's ``"data"`` section to a
:class:`DataBundle`), :func:`list_datasets` (for the wizard) and
:func:`~studio.data.augment.preview`.
"""

from studio.data.augment import preview
from studio.data.bundle import DataBundle, DataError
from studio.data.registry import list_datasets, load_dataset

__all__ = ["DataBundle", "DataError", "list_datasets", "load_dataset", "preview"]
