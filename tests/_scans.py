"""Scanned pages for tests, built with the samples' own builder (Pillow + reportlab, no text layer)."""
import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location("render_scanned", Path(__file__).resolve().parent.parent / "samples" / "render_scanned.py")
render_scanned = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(render_scanned)

text_page_image = render_scanned.text_page_image
degrade = render_scanned.degrade
image_pdf = render_scanned.image_pdf
eml = render_scanned.eml
