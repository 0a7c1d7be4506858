from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from studio.ui.canvas import CanvasWidget
from studio.ui.document import Document


@pytest.fixture
def make_canvas(qtbot, registry):
    """Factory: a shown CanvasWidget on a fresh (or given) Document."""
    made = []

    def make(document: Document | None = None, size=(1200, 800)) -> CanvasWidget:
        document = document or Document(registry)
        canvas = CanvasWidget(document)
        qtbot.addWidget(canvas)
        canvas.resize(*size)
        canvas.show()
        qtbot.waitExposed(canvas)
        made.append((canvas, document))
        return canvas

    yield make
    for canvas, document in made:
        canvas.close_document()
        document.close()


def vpos(canvas: CanvasWidget, scene_point: QPointF) -> QPoint:
    """Viewport position of a scene point."""
    return canvas.view.mapFromScene(scene_point)


def port_pos(canvas: CanvasWidget, node_id: str, port: str, output: bool) -> QPoint:
    return vpos(canvas, canvas.scene.node_item(node_id).port(port, output).scenePos())


def drag(qtbot, canvas: CanvasWidget, start: QPoint, end: QPoint, steps: int = 6) -> None:
    """Press at ``start``, move in steps, release at ``end`` (viewport coordinates)."""
    viewport = canvas.view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    for i in range(1, steps + 1):
        p = start + (end - start) * (i / steps)
        qtbot.mouseMove(viewport, pos=p)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)
