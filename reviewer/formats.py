"""Containers and images: e-mail messages (``.eml``, Outlook ``.msg``) and image files.

A message is one page (its headers, then its body), followed by the pages of its attachments
in the order they appear (``contract.md``). This module only takes messages apart; the pages of
each attachment are made by :mod:`reviewer.extraction` exactly as if the attachment were a file
of the case, named ``message.eml/attachment.pdf``.
"""
from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import html
import io
import re
from dataclasses import dataclass, field

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp"}
_HEADERS = ("From", "To", "Cc", "Date", "Subject")


class FormatError(Exception):
    """The bytes are not what their name says (kind: corrupt | unsupported | no_text)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


@dataclass
class Attachment:
    name: str
    data: bytes
    content_type: str = ""


@dataclass
class Message:
    text: str  # the message's page: headers, blank line, body
    attachments: list[Attachment] = field(default_factory=list)


def _html_to_text(s: str) -> str:
    s = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", s)
    s = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>|</h\d>", "\n", s)
    s = re.sub(r"(?s)<[^>]+>", "", s)
    s = html.unescape(s)
    s = re.sub(r"[ \t\u00a0]+", " ", s)
    return re.sub(r"\n\s*\n\s*\n+", "\n\n", s).strip()


def _header_block(get) -> str:
    lines = []
    for h in _HEADERS:
        v = get(h)
        if v:
            lines.append(f"{h}: {' '.join(str(v).split())}")
    return "\n".join(lines)


def read_eml(data: bytes) -> Message:
    """Parse an RFC 822 message. Nested messages (forwarded as attachments) become attachments
    named ``*.eml`` so they get their own page and attachments in turn."""
    if not data.strip():
        raise FormatError("empty", "the message is empty")
    head = data[:4096].decode("latin-1")
    if not re.search(r"(?im)^(from|to|subject|date|received|message-id|mime-version|return-path):", head):
        raise FormatError("corrupt", "not an e-mail message (no message headers)")
    msg = email.message_from_bytes(data, policy=email.policy.default)
    plain: list[str] = []
    htmls: list[str] = []
    attachments: list[Attachment] = []
    n = 0
    for part in msg.walk():
        if part is msg and part.is_multipart():
            continue
        ctype = part.get_content_type()
        disp = part.get_content_disposition()
        filename = part.get_filename()
        if ctype == "message/rfc822":
            n += 1
            inner = part.get_payload()
            inner_msg = inner[0] if isinstance(inner, list) and inner else inner
            raw = inner_msg.as_bytes() if hasattr(inner_msg, "as_bytes") else b""
            attachments.append(Attachment(filename or f"attached_message_{n}.eml", raw, ctype))
            continue
        if part.is_multipart():
            continue
        if _inside_rfc822(msg, part):
            continue
        if disp == "attachment" or (filename and disp != "inline") or (filename and not ctype.startswith("text/")):
            n += 1
            payload = part.get_payload(decode=True) or b""
            attachments.append(Attachment(filename or f"attachment_{n}", payload, ctype))
        elif ctype == "text/plain":
            plain.append(_decoded_text(part))
        elif ctype == "text/html":
            htmls.append(_html_to_text(_decoded_text(part)))
    body = "\n\n".join(t.strip() for t in plain if t.strip()) or "\n\n".join(t for t in htmls if t)
    text = _header_block(msg.get) + "\n\n" + body.replace("\r\n", "\n").strip()
    return Message(text.strip(), attachments)


def _decoded_text(part) -> str:
    try:
        return part.get_content()
    except Exception:  # unknown charset: fall back to latin-1, which never fails
        return (part.get_payload(decode=True) or b"").decode("latin-1")


def _inside_rfc822(root, part) -> bool:
    """True when PART belongs to a message/rfc822 attachment (read separately as its own message)."""
    for p in root.walk():
        if p.get_content_type() == "message/rfc822" and p is not part:
            for q in p.walk():
                if q is part and q is not p:
                    return True
    return False


def read_msg(data: bytes) -> Message:
    """Parse an Outlook ``.msg`` (an OLE2 compound file, MS-OXMSG) with extract-msg, an optional
    dependency (``pip install 'casefile-reviewer[msg]'``). Any failure to read it is a ``corrupt``
    :class:`FormatError`, never another exception: a damaged message must not stop the case."""
    try:
        import extract_msg
    except ImportError:
        raise FormatError("unsupported", "Outlook .msg needs the extract-msg package (pip install extract-msg)") from None
    if not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FormatError("corrupt", "not an Outlook message (no OLE2 signature)")
    try:
        m = extract_msg.openMsg(data)
    except Exception as e:
        raise FormatError("corrupt", f"the Outlook message cannot be opened ({type(e).__name__})") from None
    try:
        fields = _msg_fields(m)
        body = _msg_body(m)
        attachments = [_msg_attachment(a, i) for i, a in enumerate(m.attachments, 1)]
    except Exception as e:  # a damaged stream or property found while reading (olefile, decoding)
        raise FormatError("corrupt", f"the Outlook message cannot be read ({type(e).__name__})") from None
    finally:
        m.close()
    text = _header_block(fields.get) + "\n\n" + body.replace("\r\n", "\n").strip()
    return Message(text.strip(), attachments)


def _msg_fields(m) -> dict:
    """From, To, Cc, Date, Subject of an opened .msg; the date as in an e-mail header (RFC 5322).

    To and Cc come from the recipient storages (or the transport headers); a message saved
    without them still has the display lists PR_DISPLAY_TO / PR_DISPLAY_CC (names only)."""
    string = getattr(m, "getStringStream", lambda _name: None)
    date = m.date
    if isinstance(date, datetime.datetime):
        date = email.utils.format_datetime(date if date.tzinfo else date.replace(tzinfo=datetime.timezone.utc))
    return {"From": m.sender, "To": m.to or string("__substg1.0_0E04"), "Cc": m.cc or string("__substg1.0_0E03"),
            "Date": date, "Subject": m.subject}


def _msg_body(m) -> str:
    """The plain-text body, else the HTML body as text."""
    body = m.body or ""
    if not body.strip() and getattr(m, "htmlBody", None):
        raw = m.htmlBody
        body = _html_to_text(raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw)
    return body


def _msg_attachment(a, i: int) -> Attachment:
    """One attachment of a .msg: a file by value, or an embedded message exported as its own .msg
    (named by its display name, which Outlook sets to the message's subject)."""
    name = (getattr(a, "longFilename", None) or getattr(a, "shortFilename", None)
            or getattr(a, "displayName", None) or f"attachment_{i}")
    name = re.sub(r"[/\\\x00-\x1f]+", "_", name).strip() or f"attachment_{i}"  # it becomes a path: message.msg/name
    payload = a.data
    if hasattr(payload, "exportBytes"):  # an embedded .msg
        payload, name = payload.exportBytes(), name if name.lower().endswith(".msg") else name + ".msg"
    return Attachment(name, payload if isinstance(payload, bytes) else b"")


def image_frames(data: bytes) -> list:
    """The frames of an image file as PIL images (a multi-page TIFF has several)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    try:
        im = Image.open(io.BytesIO(data))
        frames = []
        for frame in ImageSequence.Iterator(im):
            f = frame.copy()
            f.load()
            frames.append(f)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise FormatError("corrupt", f"not a readable image ({type(e).__name__})") from None
    if not frames:
        raise FormatError("corrupt", "the image has no frames")
    return frames
