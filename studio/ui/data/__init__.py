"""Importing the user's data: the data wizard and the augmentation preview.

:class:`DataWizard` turns a file or folder into the project's ``data`` section
(source, options, preview with shapes and class counts, augmentation);
:class:`AugmentDialog` edits the augmentation of any dataset with a preview of
eight augmented copies of one training sample.
"""

from studio.ui.data.augment_dialog import AugmentDialog
from studio.ui.data.augment_view import AugmentPanel, AugmentPreview
from studio.ui.data.wizard import DataWizard

__all__ = ["AugmentDialog", "AugmentPanel", "AugmentPreview", "DataWizard"]
