"""Sizes of what a box holds, decided without a font: the picture uses a monospace font, whose
glyphs are all about 0.6 em wide (DejaVu Sans Mono, Menlo, Consolas, Liberation Mono), so a
text's width is its length times a known advance. Texts longer than their room are cut with an
ellipsis (the full text is in the box's tooltip), so the same input gives the same sizes, and the
same bytes, on every machine."""

from __future__ import annotations

from dataclasses import dataclass

from converter.report.diagram.graph import Attachment, Node, Side

FONT = "ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,'Liberation Mono',monospace"
ADVANCE = 0.62  # em per glyph, a little above the widest common monospace font (0.602)
TITLE_SIZE = 12.0
TEXT_SIZE = 11.0
CHIP_SIZE = 10.0
BOX_WIDTH = 236.0
PAD = 8.0
TITLE_LINE = 17.0
TEXT_LINE = 15.0
CHIP_HEIGHT = 16.0
CHIP_GAP = 4.0
CHIP_ICON = 12.0  # room for the shape drawn at the chip's left
TAB_HEIGHT = 14.0  # port tabs sit on the top edge, half outside the box
TAB_ROOM = 118.0  # the right part of the top edge kept for port tabs

CHIP_LABEL = {"volume": "volume", "secret": "secret", "config": "config",
              "pvc": "PVC", "configmap": "ConfigMap", "k8s-secret": "Secret"}


def text_width(text: str, size: float) -> float:
    return len(text) * size * ADVANCE


def fit(text: str, room: float, size: float) -> str:
    """`text`, cut with an ellipsis so that it is at most `room` wide."""
    most = max(1, int(room // (size * ADVANCE)))
    return text if len(text) <= most else text[: most - 1] + "…"


MAX_WRAP = 3  # display lines one text may take; the rest is cut with an ellipsis


def wrap(text: str, room: float, size: float) -> list[str]:
    """`text` broken at spaces into lines at most `room` wide (continuations indented), at most
    MAX_WRAP of them."""
    most = max(4, int(room // (size * ADVANCE)))
    out: list[str] = []
    rest = text
    while rest:
        limit = most if not out else most - 2
        if len(rest) <= limit:
            out.append(rest if not out else "  " + rest)
            break
        cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        head, rest = rest[:cut].rstrip(), rest[cut:].lstrip()
        out.append(head if not out else "  " + head)
        if len(out) == MAX_WRAP and rest:
            out[-1] = fit(out[-1] + " " + rest, room, size)
            break
    return out


def display_lines(side: Side) -> list[str]:
    room = BOX_WIDTH - 2 * PAD
    return [shown for line in side.lines for shown in wrap(line, room, TEXT_SIZE)]


@dataclass(frozen=True)
class Chip:
    attachment: Attachment
    text: str
    x: float  # relative to the box's left edge
    y: float  # relative to the box's top edge
    w: float


def chip_text(attachment: Attachment) -> str:
    return attachment.name


def place_chips(attachments: tuple[Attachment, ...], top: float) -> tuple[list[Chip], float]:
    """Chips flowed left to right, wrapping inside the box; returns them and the bottom edge."""
    room = BOX_WIDTH - 2 * PAD
    chips: list[Chip] = []
    x, y = PAD, top
    for attachment in attachments:
        text = fit(chip_text(attachment), room - CHIP_ICON - 8, CHIP_SIZE)
        w = CHIP_ICON + 8 + text_width(text, CHIP_SIZE)
        if x > PAD and x + w > BOX_WIDTH - PAD:
            x, y = PAD, y + CHIP_HEIGHT + CHIP_GAP
        chips.append(Chip(attachment, text, x, y, w))
        x += w + CHIP_GAP
    bottom = (y + CHIP_HEIGHT) if chips else top - CHIP_GAP
    return chips, bottom


def chips_top(side: Side) -> float:
    return PAD + TITLE_LINE + TEXT_LINE * len(display_lines(side)) + 4


def side_height(side: Side) -> float:
    top = chips_top(side)
    _, bottom = place_chips(side.attachments, top)
    return bottom + PAD


def box_height(node: Node) -> float:
    """One height for both panels, so a service's two boxes line up."""
    return max(side_height(node.compose), side_height(node.kubernetes), 56.0)
