"""Streaming multipart uploads with limits checked while the bytes arrive, not after.

Each file part is written to a temporary file beside the store while its SHA-256 is computed;
the size, the number of files and (for PDF) an estimate of the page count are checked on every
chunk, and the content signature (``%PDF-``, the ``PK`` zip header) on the first bytes. After the
body ends the DOCX zip structure and the exact PDF page count are checked. On any refusal every
temporary file is removed: nothing partial is left behind.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

ALLOWED = {".pdf": "pdf", ".docx": "docx", ".txt": "txt"}
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass
class Limits:
    max_file_bytes: int = 100 * 1024 * 1024
    max_files: int = 20
    max_pages: int = 2000  # per file
    max_field_bytes: int = 4096
    max_docx_unzipped: int = 512 * 1024 * 1024


class UploadRejected(Exception):
    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass
class UploadedFile:
    name: str  # sanitised client name, used only for display and the file's type
    kind: str
    tmp: Path
    size: int = 0
    sha256: str = ""
    pages: int = 0


@dataclass
class Upload:
    files: list[UploadedFile] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        for f in self.files:
            Path(f.tmp).unlink(missing_ok=True)


def safe_name(name: str, taken: set[str]) -> str:
    """A display name without any path, control characters or leading dots; unique within the case."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f<>:\"|?*]", "", name).strip().lstrip(".") or "file"
    stem, suf = os.path.splitext(name)
    stem = stem[:100]
    out = f"{stem}{suf.lower()}"
    n = 2
    while out.lower() in taken:
        out = f"{stem} ({n}){suf.lower()}"
        n += 1
    taken.add(out.lower())
    return out


class _Receiver:
    def __init__(self, tmp_dir: Path, limits: Limits):
        self.tmp_dir = tmp_dir
        self.limits = limits
        self.upload = Upload()
        self.names: set[str] = set()
        self._headers: dict[bytes, bytes] = {}
        self._hf = b""
        self._hv = b""
        self._cur: UploadedFile | None = None
        self._fh = None
        self._hash = None
        self._head = b""
        self._tail = b""
        self._field: str | None = None
        self._fbuf = bytearray()

    # ---- python-multipart callbacks
    def on_part_begin(self):
        self._headers = {}
        self._cur = None
        self._field = None

    def on_header_field(self, data, start, end):
        self._hf += data[start:end]

    def on_header_value(self, data, start, end):
        self._hv += data[start:end]

    def on_header_end(self):
        self._headers[self._hf.lower()] = self._hv
        self._hf, self._hv = b"", b""

    def on_headers_finished(self):
        disp, opts = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = (opts.get(b"name") or b"").decode("utf-8", "replace")
        filename = opts.get(b"filename")
        if name == "files" and filename is not None:
            self._begin_file(filename.decode("utf-8", "replace"))
        else:
            if filename is not None:
                raise UploadRejected(400, f"unexpected file field {name!r}: files go in the 'files' field")
            self._field = name
            self._fbuf = bytearray()

    def _begin_file(self, client_name: str):
        if len(self.upload.files) >= self.limits.max_files:
            raise UploadRejected(413, f"too many files: at most {self.limits.max_files} a case")
        if not client_name.strip():
            raise UploadRejected(400, "a file part has no file name (was a file chosen?)")
        suffix = Path(client_name).suffix.lower()
        if suffix not in ALLOWED:
            raise UploadRejected(415, f"{client_name!r}: unsupported type {suffix or '(none)'}; send PDF, DOCX or TXT")
        fd, tmp = tempfile.mkstemp(dir=self.tmp_dir, prefix="up-")
        self._fh = os.fdopen(fd, "wb")
        self._cur = UploadedFile(name=safe_name(client_name, self.names), kind=ALLOWED[suffix], tmp=Path(tmp))
        self.upload.files.append(self._cur)
        self._hash = hashlib.sha256()
        self._head = b""
        self._tail = b""

    def on_part_data(self, data, start, end):
        chunk = bytes(data[start:end])
        if self._cur is None:
            self._fbuf += chunk
            if len(self._fbuf) > self.limits.max_field_bytes:
                raise UploadRejected(413, f"form field {self._field!r} is longer than {self.limits.max_field_bytes} bytes")
            return
        f = self._cur
        f.size += len(chunk)
        if f.size > self.limits.max_file_bytes:
            raise UploadRejected(413, f"{f.name!r} is larger than the limit of {self.limits.max_file_bytes} bytes a file")
        if len(self._head) < 8:
            self._head += chunk[: 8 - len(self._head)]
            self._check_signature(final=False)
        if f.kind == "pdf":
            window = self._tail + chunk
            f.pages += len(_PAGE.findall(window)) - len(_PAGE.findall(self._tail))
            self._tail = window[-32:]
            if f.pages > self.limits.max_pages:
                raise UploadRejected(413, f"{f.name!r} has more than {self.limits.max_pages} pages")
        elif f.kind == "txt" and b"\x00" in chunk:
            raise UploadRejected(415, f"{f.name!r} is not a text file (it holds NUL bytes)")
        self._hash.update(chunk)
        self._fh.write(chunk)

    def _check_signature(self, final: bool):
        f, head = self._cur, self._head
        if f.kind == "pdf":
            want = b"%PDF-"
        elif f.kind == "docx":
            want = b"PK\x03\x04"
        else:
            return
        n = min(len(head), len(want))
        if head[:n] != want[:n] or (final and len(head) < len(want) and f.size > 0):
            what = "a PDF (no %PDF- signature)" if f.kind == "pdf" else "a DOCX (not a zip file)"
            raise UploadRejected(415, f"{f.name!r} is not {what}")

    def on_part_end(self):
        if self._cur is not None:
            self._check_signature(final=True)
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None
            self._cur.sha256 = self._hash.hexdigest()
            self._cur = None
        elif self._field is not None:
            self.upload.fields[self._field] = self._fbuf.decode("utf-8", "replace")
            self._field = None

    ended = False

    def on_end(self):
        self.ended = True

    def close(self):
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def _finish_checks(f: UploadedFile, limits: Limits) -> None:
    if f.size == 0:
        raise UploadRejected(400, f"{f.name!r} is empty")
    if f.kind == "docx":
        try:
            with zipfile.ZipFile(f.tmp) as z:
                names = set(z.namelist())
                if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                    raise UploadRejected(415, f"{f.name!r} is a zip file but not a Word document (no word/document.xml)")
                if sum(i.file_size for i in z.infolist()) > limits.max_docx_unzipped:
                    raise UploadRejected(413, f"{f.name!r} unpacks to more than {limits.max_docx_unzipped} bytes")
        except zipfile.BadZipFile:
            raise UploadRejected(415, f"{f.name!r} is not a DOCX (a broken zip file)") from None
    elif f.kind == "pdf":
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(f.tmp))
        except pdfium.PdfiumError as e:
            raise UploadRejected(422, f"{f.name!r} cannot be opened as a PDF ({e})") from None
        try:
            f.pages = len(pdf)
        finally:
            pdf.close()
        if f.pages > limits.max_pages:
            raise UploadRejected(413, f"{f.name!r} has {f.pages} pages, more than the limit of {limits.max_pages}")
        if f.pages == 0:
            raise UploadRejected(422, f"{f.name!r} has no pages")


async def receive_upload(request: Request, tmp_dir: Path, limits: Limits) -> Upload:
    """Parse a multipart/form-data body into temporary files; raises UploadRejected (files removed)."""
    ctype, opts = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not opts.get(b"boundary"):
        raise UploadRejected(415, "send the case as multipart/form-data with one or more 'files' parts")
    total_cap = limits.max_files * (limits.max_file_bytes + 64 * 1024) + 1024 * 1024
    clen = request.headers.get("content-length")
    if clen and clen.isdigit() and int(clen) > total_cap:
        raise UploadRejected(413, f"the request is larger than {total_cap} bytes")
    rec = _Receiver(tmp_dir, limits)
    parser = MultipartParser(opts[b"boundary"], {
        "on_part_begin": rec.on_part_begin, "on_part_data": rec.on_part_data, "on_part_end": rec.on_part_end,
        "on_header_field": rec.on_header_field, "on_header_value": rec.on_header_value,
        "on_header_end": rec.on_header_end, "on_headers_finished": rec.on_headers_finished,
        "on_end": rec.on_end,
    }, max_size=total_cap)
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        if rec._cur is not None or rec._field is not None or not rec.ended:
            raise UploadRejected(400, "the multipart body ended early (no closing boundary)")
        if not rec.upload.files:
            raise UploadRejected(422, "missing field 'files': send at least one file")
        for f in rec.upload.files:
            _finish_checks(f, limits)
        return rec.upload
    except UploadRejected:
        rec.close()
        rec.upload.discard()
        raise
    except Exception as e:  # malformed multipart
        rec.close()
        rec.upload.discard()
        raise UploadRejected(400, f"malformed multipart body ({type(e).__name__})") from None
