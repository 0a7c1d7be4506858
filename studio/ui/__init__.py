"""Everything Qt: the main window, its panels and their adapters over the pure model.

Only this package (and :mod:`studio.app`) may import PySide6 or pyqtgraph;
a subprocess test enforces it for every other package.
"""
