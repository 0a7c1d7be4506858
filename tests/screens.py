"""Where GUI tests save the screenshots they take.

``NETSTUDIO_SCREENSHOTS`` names the folder (``make screenshots`` sets it to
``docs/screenshots``); otherwise a temporary folder, so that running the tests
never changes tracked files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_DEFAULT = Path(tempfile.gettempdir()) / "netstudio-screenshots"
SCREENSHOTS = Path(os.environ.get("NETSTUDIO_SCREENSHOTS") or _DEFAULT)
