"""Pixel masks of the shapes the synthetic world draws, on any coordinate grid."""
from __future__ import annotations

import math

import numpy as np

SHAPES = ("circle", "square", "triangle", "diamond", "hexagon")

# Colours are saturated so that no muted background texture can be mistaken for them.
COLOURS = {
    "red": (220, 40, 40),
    "green": (40, 180, 60),
    "blue": (40, 80, 230),
    "yellow": (235, 215, 40),
    "magenta": (210, 50, 210),
    "cyan": (40, 205, 215),
    "orange": (245, 135, 25),
    "white": (250, 250, 250),
}
HAND_COLOUR = (190, 150, 120)
MARKER_COLOUR = (25, 25, 25)


def _polygon_vertices(shape: str, cx: float, cy: float, r: float, angle: float) -> np.ndarray:
    if shape == "square":
        corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)]
        pts = [(0.82 * r * x, 0.82 * r * y) for x, y in corners]
    elif shape == "diamond":
        pts = [(0, -r), (0.72 * r, 0), (0, r), (-0.72 * r, 0)]
    else:
        sides = {"triangle": 3, "hexagon": 6}[shape]
        pts = [(r * math.cos(-math.pi / 2 + 2 * math.pi * k / sides),
                r * math.sin(-math.pi / 2 + 2 * math.pi * k / sides)) for k in range(sides)]
    c, s = math.cos(angle), math.sin(angle)
    return np.array([(cx + c * x - s * y, cy + s * x + c * y) for x, y in pts])


def shape_mask(shape: str, cx: float, cy: float, r: float, angle: float,
               xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Boolean mask of pixels whose centres (xs, ys) fall inside the shape."""
    if shape == "circle":
        return (xs - cx) ** 2 + (ys - cy) ** 2 <= r * r
    verts = _polygon_vertices(shape, cx, cy, r, angle)
    inside = np.ones(np.broadcast(xs, ys).shape, dtype=bool)
    # Vertices run clockwise on screen (y down); a point is inside if it is on the
    # same side of every edge.
    for (x0, y0), (x1, y1) in zip(verts, np.roll(verts, -1, axis=0)):
        inside &= (x1 - x0) * (ys - y0) - (y1 - y0) * (xs - x0) >= 0
    return inside


def marker_mask(cx: float, cy: float, r: float, angle: float,
                xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """A bar through the centre at `angle`: makes rolling visible on a circle."""
    u = (xs - cx) * math.cos(angle) + (ys - cy) * math.sin(angle)
    v = -(xs - cx) * math.sin(angle) + (ys - cy) * math.cos(angle)
    return (np.abs(v) <= max(1.0, 0.16 * r)) & (np.abs(u) <= 0.8 * r)


def full_area(shape: str, cx: float, cy: float, r: float, angle: float) -> int:
    """Pixel count of the shape ignoring the frame edge (for visibility ratios)."""
    x0, x1 = math.floor(cx - r) - 1, math.ceil(cx + r) + 2
    y0, y1 = math.floor(cy - r) - 1, math.ceil(cy + r) + 2
    ys, xs = np.mgrid[y0:y1, x0:x1] + 0.5
    return int(shape_mask(shape, cx, cy, r, angle, xs, ys).sum())
