"""Reading order of a PDF page's text layer: two columns, turned pages and turned text.

pdfium gives a page's characters in the order its content draws them, with a line break where
the text moves to a new line. That is the reading order of most pages, but not of these:

- a page in two columns whose content draws each row across both columns (as converters that
  sort text by height do): a sentence of the left column runs into the right one, row by row;
- text that is not upright on the displayed page: a page turned with ``/Rotate``, or text drawn
  turned (a landscape table printed sideways). pdfium orders lines and words as they appear on
  the display, so text shown upside down, or sideways in some cases, comes out reversed.

:func:`read_text` returns pdfium's own text for ordinary pages after a few cheap checks (the
angle of three characters, the text boxes of three stretches of text: about 5% of the time
pdfium takes to read a page). Text that is not upright is read again with the page turned so
that it is (``/Rotate`` is put back at once: nothing is saved, and OCR renders the page as the
file has it). A page whose lines suggest columns has its text boxes examined for a vertical
gutter; when one is found, the page is read in bands from top to bottom: a full-width band (a
heading, a signature block, a header) whole, a two-column band left column first, each region by
:meth:`PdfTextPage.get_text_bounded`. The result is used only if it holds exactly the characters
of pdfium's text, so a layout misjudged never loses or repeats text.

Tables are not text columns. A form's labels and values, and a table whose cells sit close or
leave gaps inside a line, are left in pdfium's order (which reads each row as one line); a
two-column table whose cells wrap over several lines, rows set apart by wider gaps, is read row
by row, each row's left cell and then its right cell.
"""
from __future__ import annotations

import ctypes
import logging
import math
from collections import Counter
from dataclasses import dataclass, field
from statistics import median

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # left, bottom, right, top (PDF units)

# cheap checks: a page is examined for columns only when its lines are short or cut in pieces
HINT_CHARS_PER_LINE = 60  # a full line of an A4 page holds ~90 characters; a column line half that
HINT_RECTS_PER_LINE = 1.4  # pdfium joins the two halves of a row drawn across columns into one line
HINT_MIN_CHARS = 300  # a page with less text is never read as columns
HINT_STRETCH = 300  # characters of each stretch of text whose boxes are counted
HINT_STARTS = 8  # lines whose starts are compared
HINT_APART = 0.5  # starts this share of their spread apart are in different columns
HINT_SPREAD = 120.0  # points: line starts less spread than this are in one column
MIN_LINES = 6  # fewer lines than this are never read as columns
# a gutter: a vertical band crossed by few lines, near the middle, narrow, with running text either side
GUTTER_CENTRE = (0.3, 0.7)  # where its centre may lie, as a share of the text's width
MAX_GUTTER = 0.15  # widest gutter, as a share of the text's width
MIN_GUTTER = 1.0  # narrowest gutter, in line heights (a table's cells sit closer)
MIN_SIDE_LINES = 4  # lines of text each column holds at least
MIN_SIDE = 0.25  # narrowest column, as a share of the text's width
FULL_LEFT = 0.75  # the left column's lines reach (median) this share of its width
FULL_RIGHT = 0.55  # and the right column's
CELL_GAP = 1.5  # a gap inside a line wider than this many line heights parts two cells of a table
MAX_CELL_LINES = 0.2  # a side with more of its lines in cells than this is a table
INDENT = 2.5  # a line of a column starts this many line heights from its left edge at most
ALIGNED = 0.7  # share of a column's lines that start at its left edge
EDGE_GAP = 1.2  # a header's gap is this much wider than any in the body
ROW_GAP = 0.5  # a gap between lines wider than usual by this many line heights ends a paragraph or a row
ALIGNED_GAPS = 0.8  # share of such gaps that are across both sides in a table (rows)
MAX_LABELS = 0.3  # a left side whose lines end in ":" this often is a form's labels
_BIG = 1e5  # a region edge beyond any page
_HYPHEN_MARKS = str.maketrans("", "", "\x02\ufffe")  # pdfium's marks of a hyphen at a line's end


def read_text(page) -> str:
    """The text of a pypdfium2 PAGE in reading order (pdfium's line breaks, ``\\r\\n``)."""
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        try:
            return _in_order(page, textpage, text)
        except Exception:  # the order is a refinement: a page is never lost to it
            log.debug("layout analysis failed; pdfium's order kept", exc_info=True)
            return text
    finally:
        textpage.close()


def _in_order(page, textpage, text: str) -> str:
    """TEXT (pdfium's, of TEXTPAGE) or the page's text read upright and column by column."""
    if not text or text.isspace():
        return text  # no text layer: nothing to order (the page goes to OCR as it is)
    angle = _text_angle(textpage)
    upright = (360 - angle) % 360  # the /Rotate that shows the text upright
    if page.get_rotation() == upright:
        return _columns_or(textpage, text, angle)
    turned = _upright_textpage(page, upright)
    try:
        return _columns_or(turned, turned.get_text_range(), angle)
    finally:
        turned.close()


def _columns_or(textpage, text: str, angle: int) -> str:
    """TEXT, or the page read column by column when it is in two columns."""
    if not _column_hint(textpage, text, angle):
        return text
    columns = _column_text(textpage, angle)
    if columns is None:
        return text
    if not _same_characters(columns, text):
        log.debug("column reading dropped: its characters differ from pdfium's")
        return text
    return columns


def _upright_textpage(page, rotation: int):
    """A text page of PAGE read as if its /Rotate were ROTATION (the page is left as it was)."""
    before = page.get_rotation()
    page.set_rotation(rotation)
    try:
        return page.get_textpage()
    finally:
        page.set_rotation(before)


# --------------------------------------------------------------------------- turned text
def _text_angle(textpage, samples: int = 3) -> int:
    """How far most of the page's text is turned, clockwise in degrees (0, 90, 180 or 270),
    from the angle of a few characters spread over the page."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountChars(raw)
    angles = []
    for k in range(1, samples + 1):
        for i in range(n * k // (samples + 1), min(n, n * k // (samples + 1) + 8)):
            code = pdfium_c.FPDFText_GetUnicode(raw, i)
            if code > 32 and not chr(code).isspace():
                radians = pdfium_c.FPDFText_GetCharAngle(raw, i)
                if radians >= 0:
                    angles.append(round(math.degrees(radians) / 90) % 4 * 90)
                break
    if not any(angles):
        return 0
    angle, count = Counter(angles).most_common(1)[0]
    return angle if count * 2 > len(angles) else 0


def _to_frame(box: Box, angle: int) -> Box:
    """BOX in the frame where text turned by ANGLE (clockwise) runs left to right."""
    return _turn(box, angle)


def _to_page(box: Box, angle: int) -> Box:
    """A box of the text's frame back in page space."""
    return _turn(box, -angle)


def _turn(box: Box, angle: int) -> Box:
    """BOX turned counter-clockwise by ANGLE degrees (a multiple of 90) about the origin."""
    a = angle % 360
    left, bottom, right, top = box
    if a == 0:
        return box
    if a == 90:
        return (-top, left, -bottom, right)
    if a == 180:
        return (-right, -top, -left, -bottom)
    return (bottom, -right, top, -left)


# --------------------------------------------------------------------------- two columns
@dataclass
class _Line:
    """A line of the page (its text boxes side by side), in the text's frame."""

    bottom: float
    top: float
    height: float
    spans: list[tuple[float, float]] = field(default_factory=list)  # left, right of its boxes

    def left(self) -> float:
        return min(s[0] for s in self.spans)

    def right(self) -> float:
        return max(s[1] for s in self.spans)


def _column_hint(textpage, text: str, angle: int) -> bool:
    """Cheap: could this page be in two columns that pdfium reads across? Either its lines are
    cut in more text boxes than usual (a row drawn across both columns is one line of two
    boxes), or its lines are short and start by turns at the left and in the middle of the page
    (rows of two columns whose lines sit at different heights). Columns pdfium reads one after
    the other are in order already."""
    if len(text) < HINT_MIN_CHARS:
        return False
    lines = text.count("\n") + 1  # pdfium's lines: a row across two columns is one, or more rows
    if len(text) < HINT_CHARS_PER_LINE * lines:
        return _starts_alternate(textpage, text, angle)
    return _cut_lines(textpage, text)


def _starts_alternate(textpage, text: str, angle: int) -> bool:
    """Do lines from the middle of the page start by turns far apart (left column, right column)?"""
    import pypdfium2.raw as pdfium_c

    x, y = ctypes.c_double(), ctypes.c_double()
    starts = []
    at = text.find("\n", len(text) // 3)
    while at != -1 and len(starts) < HINT_STARTS:
        i = at + 1
        while i < len(text) and text[i].isspace():
            i += 1
        if i < len(text) and pdfium_c.FPDFText_GetCharOrigin(textpage.raw, i, ctypes.byref(x), ctypes.byref(y)):
            starts.append(_to_frame((x.value, y.value, x.value, y.value), angle)[0])
        at = text.find("\n", i)
    if len(starts) < 4 or max(starts) - min(starts) < HINT_SPREAD:
        return False
    far = HINT_APART * (max(starts) - min(starts))
    return sum(abs(a - b) > far for a, b in zip(starts, starts[1:])) >= 0.6 * (len(starts) - 1)


def _cut_lines(textpage, text: str) -> bool:
    """Are the lines of three stretches of the page's text cut in more text boxes than usual?
    (pdfium joins a row drawn across two columns into one line of two boxes.) Counting the boxes
    of the whole page would cost 7% of reading it; three stretches cost 2%."""
    import pypdfium2.raw as pdfium_c

    boxes = breaks = 0
    for k in (1, 2, 3):
        start = len(text) * k // 4
        boxes += max(0, pdfium_c.FPDFText_CountRects(textpage.raw, start, HINT_STRETCH))
        breaks += text.count("\n", start, start + HINT_STRETCH) + 1
    return boxes > HINT_RECTS_PER_LINE * breaks


def _rects(textpage) -> list[Box]:
    """The page's text boxes (pdfium merges the characters of a line in one font into one)."""
    import pypdfium2.raw as pdfium_c

    raw = textpage.raw
    n = pdfium_c.FPDFText_CountRects(raw, 0, -1)
    left, top, right, bottom = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, top, right, bottom)]
    get = pdfium_c.FPDFText_GetRect
    out = []
    for i in range(n):
        if get(raw, i, *refs):
            out.append((left.value, bottom.value, right.value, top.value))
    return out


def _lines(boxes: list[Box]) -> list[_Line]:
    """BOXES (text's frame) gathered into lines, top to bottom. Boxes much taller than a line
    and narrower than tall (a note written up the margin) are left out."""
    boxes = [b for b in boxes if b[2] - b[0] > 0.5 and b[3] - b[1] > 0.5]
    if not boxes:
        return []
    tall = 2.5 * median(b[3] - b[1] for b in boxes)
    lines: list[_Line] = []
    for left, bottom, right, top in sorted(boxes, key=lambda b: -b[3]):
        h = top - bottom
        if h > tall and h > right - left:
            continue
        line = lines[-1] if lines else None
        if line and min(top, line.top) - max(bottom, line.bottom) >= 0.5 * min(h, line.height):
            line.bottom, line.top = min(bottom, line.bottom), max(top, line.top)
        else:
            line = _Line(bottom, top, h)
            lines.append(line)
        line.spans.append((left, right))
    return lines


def _coverage(lines: list[_Line]) -> list[tuple[float, float, int]]:
    """How many lines cross each x: segments (from, to, lines)."""
    events: list[tuple[float, int]] = []
    for line in lines:
        spans = sorted(line.spans)
        start, end = spans[0]
        for a, b in spans[1:]:
            if a > end:
                events += [(start, 1), (end, -1)]
                start = a
            end = max(end, b)
        events += [(start, 1), (end, -1)]
    events.sort()
    segments, count, prev = [], 0, None
    for x, delta in events:
        if prev is not None and x > prev:
            segments.append((prev, x, count))
        count += delta
        prev = x
    return segments


@dataclass(frozen=True)
class _Gutter:
    """Where a page parts in two: the columns' inner edges (most lines keep inside them) and the
    x between them, crossed by the fewest lines, where the page is cut."""

    left: float
    right: float
    middle: float

    def crossed_by(self, line: _Line) -> bool:
        return any(a < self.middle < b for a, b in line.spans)

    def left_of(self, line: _Line) -> list[tuple[float, float]]:
        return [s for s in line.spans if s[1] <= self.middle]

    def right_of(self, line: _Line) -> list[tuple[float, float]]:
        return [s for s in line.spans if s[0] >= self.middle]


def _gutter(lines: list[_Line]) -> _Gutter | None:
    """The widest vertical band near the middle crossed by the fewest lines, if narrow enough
    between the columns either side of it."""
    segments = _coverage(lines)
    if not segments:
        return None
    x0, x1 = segments[0][0], segments[-1][1]
    width = x1 - x0
    lo, hi = x0 + GUTTER_CENTRE[0] * width, x0 + GUTTER_CENTRE[1] * width
    central = [s for s in segments if s[1] > lo and s[0] < hi]
    if not central:
        return None
    fewest = min(s[2] for s in central)
    if fewest > 0.4 * len(lines):
        return None
    runs: list[list[float]] = []
    for a, b, count in segments:
        if count <= fewest:
            if runs and runs[-1][1] >= a:
                runs[-1][1] = b
            else:
                runs.append([a, b])
    near_middle = [r for r in runs if lo <= (r[0] + r[1]) / 2 <= hi]
    best = max(near_middle, key=lambda r: r[1] - r[0], default=None)
    if best is None:
        return None
    cut = _Gutter(best[0], best[1], (best[0] + best[1]) / 2)
    ends = sorted(max(b for _, b in spans) for ln in lines if not cut.crossed_by(ln) and (spans := cut.left_of(ln)))
    starts = sorted(min(a for a, _ in spans) for ln in lines if not cut.crossed_by(ln) and (spans := cut.right_of(ln)))
    if len(ends) < MIN_SIDE_LINES or len(starts) < MIN_SIDE_LINES:
        return None
    gutter = _Gutter(ends[int(0.9 * (len(ends) - 1))], starts[int(0.1 * (len(starts) - 1))], cut.middle)
    gap = gutter.right - gutter.left
    if gap < max(4.0, MIN_GUTTER * median(ln.height for ln in lines)) or gap > MAX_GUTTER * width:
        return None
    return gutter


def _columns_hold_text(lines: list[_Line], gutter: _Gutter) -> bool:
    """Both sides of the gutter hold running text: enough lines, filled to near the column's
    edge, one block of text a line (a table's cells leave wide gaps inside a line)."""
    left = [spans for ln in lines if (spans := gutter.left_of(ln))]
    right = [spans for ln in lines if (spans := gutter.right_of(ln))]
    g0, g1 = gutter.left, gutter.right
    if len(left) < MIN_SIDE_LINES or len(right) < MIN_SIDE_LINES:
        return False
    x0 = min(ln.left() for ln in lines)
    x1 = max(ln.right() for ln in lines)
    width = x1 - x0
    if g0 - x0 < MIN_SIDE * width or x1 - g1 < MIN_SIDE * width:
        return False
    height = median(ln.height for ln in lines)
    if _cells(left, height) or _cells(right, height):
        return False
    if not (_aligned(left, x0, height) and _aligned(right, min(a for spans in right for a, _ in spans), height)):
        return False  # labels set flush right, say
    return (median(max(b for _, b in spans) - x0 for spans in left) >= FULL_LEFT * (g0 - x0)
            and median(max(b for _, b in spans) - g1 for spans in right) >= FULL_RIGHT * (x1 - g1))


def _aligned(side: list[list[tuple[float, float]]], edge: float, height: float) -> bool:
    """Do most lines of one side start at its left EDGE (an indent allowed), as a column's do?"""
    starts = [min(a for a, _ in spans) for spans in side]
    return sum(a - edge <= INDENT * height for a in starts) >= ALIGNED * len(starts)


def _cells(side: list[list[tuple[float, float]]], height: float) -> bool:
    """Do many lines of one side hold pieces of text set wide apart, as a table's cells are?"""
    wide = 0
    for spans in side:
        spans = sorted(spans)
        if any(b[0] - a[1] > CELL_GAP * height for a, b in zip(spans, spans[1:])):
            wide += 1
    return wide > MAX_CELL_LINES * len(side)


def _edge_lines(lines: list[_Line]) -> set[int]:
    """The header and footer lines: the first or last one or two lines when a gap wider than
    any between the lines of the body sets them apart (they are read whole, not cut at the
    gutter; a table's last row, as far from the rest as every row, is not a footer)."""
    if len(lines) < MIN_LINES:
        return set()
    gaps = [a.bottom - b.top for a, b in zip(lines, lines[1:])]
    wide = max(median(gaps) + 1.5 * median(ln.height for ln in lines), EDGE_GAP * max(gaps[2:-2], default=0.0))
    edges: set[int] = set()
    for k in (0, 1):
        if gaps[k] > wide:
            edges |= set(range(k + 1))
        if gaps[-1 - k] > wide:
            edges |= set(range(len(lines) - 1 - k, len(lines)))
    return edges


def _groups(lines: list[_Line], in_columns: list[bool]) -> list[tuple[bool, list[_Line]]]:
    """Runs of lines (top to bottom) that are all in columns or all read whole."""
    groups: list[tuple[bool, list[_Line]]] = []
    for line, cols in zip(lines, in_columns):
        if groups and groups[-1][0] == cols:
            groups[-1][1].append(line)
        else:
            groups.append((cols, [line]))
    return groups


def _table_rows(group: list[_Line], gutter: _Gutter) -> list[list[_Line]] | None:
    """A run of lines in columns cut into the rows of a table, when it is one: every wider gap
    between lines of either side is a gap across both (a row's end), at least twice. Text
    columns are left whole ([GROUP]); a table of one-line rows is None (pdfium reads each row
    as one line, which is right)."""
    if len(group) < 3:
        return [group]
    gaps = [a.bottom - b.top for a, b in zip(group, group[1:])]
    wide = median(gaps) + ROW_GAP * median(ln.height for ln in group)
    cuts = [k for k, gap in enumerate(gaps) if gap > wide]  # blank across both sides below line k
    if len(cuts) < 2:
        return [group]
    lone = 0  # a wider gap in one side only: paragraphs of a text column
    for side in (gutter.left_of, gutter.right_of):
        idx = [k for k, ln in enumerate(group) if side(ln)]
        for i, j in zip(idx, idx[1:]):
            if group[i].bottom - group[j].top > wide and not any(i <= k < j for k in cuts):
                lone += 1
    if lone > (1 - ALIGNED_GAPS) * (len(cuts) + lone):
        return [group]
    rows, first = [], 0
    for k in cuts + [len(group) - 1]:
        rows.append(group[first:k + 1])
        first = k + 1
    if median(len(r) for r in rows) <= 1:
        return None
    return rows


def _bands(groups: list[tuple[bool, list[_Line]]]) -> list[tuple[bool, float, float, list[_Line]]]:
    """The page cut into bands top to bottom, midway between the groups: (in columns, bottom, top, lines)."""
    bands = []
    top = _BIG
    for k, (cols, group) in enumerate(groups):
        below = groups[k + 1][1] if k + 1 < len(groups) else None
        bottom = (min(ln.bottom for ln in group) + max(ln.top for ln in below)) / 2 if below else -_BIG
        bands.append((cols, bottom, top, group))
        top = bottom
    return bands


def _slabs(group: list[_Line], bottom: float, top: float) -> list[tuple[float, float]]:
    """A band from BOTTOM to TOP cut midway between its lines: (bottom, top) of each line's slab."""
    cuts = [(a.bottom + b.top) / 2 for a, b in zip(group, group[1:])]
    return list(zip(cuts + [bottom], [top] + cuts))


def _column_text(textpage, angle: int) -> str | None:
    """The page read band by band, columns left then right; None when it is not in two columns."""
    lines = _lines([_to_frame(b, angle) for b in _rects(textpage)])
    if len(lines) < MIN_LINES:
        return None
    gutter = _gutter(lines)
    if gutter is None:
        return None
    edges = _edge_lines(lines)
    in_columns = [i not in edges and not gutter.crossed_by(ln) for i, ln in enumerate(lines)]
    body = [ln for ln, cols in zip(lines, in_columns) if cols]
    if len(body) < max(MIN_LINES, len(lines) - len(body)) or not _columns_hold_text(body, gutter):
        return None
    groups: list[tuple[bool, list[_Line]]] = []
    for cols, group in _groups(lines, in_columns):
        cols = cols and len(group) > 1  # one line between full-width ones (a header) is read whole
        rows = _table_rows(group, gutter) if cols else [group]
        if rows is None:
            return None
        groups += [(cols, row) for row in rows]
    middle = gutter.middle
    # pdfium starts a new line in bounded text where the height changes: never, down text turned sideways
    by_line = angle % 180 == 90
    parts = []
    for cols, bottom, top, group in _bands(groups):
        slabs = _slabs(group, bottom, top) if by_line else [(bottom, top)]
        for k, (x0, x1) in enumerate([(-_BIG, middle), (middle, _BIG)] if cols else [(-_BIG, _BIG)]):
            text = "\r\n".join(t for b, t_ in slabs if (t := _read(textpage, (x0, b, x1, t_), angle)))
            if cols and k == 0 and _labels(text):
                return None  # a form: labels on the left, their values on the right
            if text:
                parts.append(text)
    return "\r\n".join(parts)


def _read(textpage, box: Box, angle: int) -> str:
    """The text in BOX (the text's frame)."""
    return _clean(textpage.get_text_bounded(*_to_page(box, angle)))


def _clean(text: str) -> str:
    """Bounded text without the spaces pdfium leaves at the ends of its lines."""
    return "\r\n".join(ln.strip(" ") for ln in text.replace("\r\n", "\n").split("\n")).strip("\r\n")


def _labels(text: str) -> bool:
    """Do the lines of TEXT end in ":" often, as a form's labels do?"""
    lines = [ln for ln in text.split("\r\n") if ln.strip()]
    return bool(lines) and sum(ln.rstrip().endswith(":") for ln in lines) > MAX_LABELS * len(lines)


def _same_characters(a: str, b: str) -> bool:
    """A and B hold the same characters, white space aside (one is a reordering of the other).
    pdfium marks a hyphen at a line's end "\\x02" in bounded text and "\\ufffe" in the whole
    page's text; neither counts."""
    return _characters(a) == _characters(b)


def _characters(text: str) -> Counter[str]:
    return Counter("".join(text.split()).translate(_HYPHEN_MARKS))

