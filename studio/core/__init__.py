"""Pure graph model: nodes, edges, commands, undo history and project files.

Nothing in this package imports Qt or torch (checked by a subprocess test).
"""
