"""Outlook ``.msg`` files for tests, built byte by byte (no .msg writer library, no downloaded sample).

A ``.msg`` is an OLE2 compound file (MS-CFB, version 3: 512-byte sectors, 64-byte mini sectors)
holding the storages and streams of MS-OXMSG:

- ``__properties_version1.0``: a header (32 bytes for the message, 24 for an embedded one, 8 for
  a recipient or an attachment) and one 16-byte entry per property: tag, flags, then the value itself for a
  fixed-length type (integer, time) or the size of the value's stream for a variable-length one;
- ``__substg1.0_TTTTPPPP``: one stream per variable-length value (strings are UTF-16LE, no
  terminating null, and their entry's size counts one: stream size + 2);
- ``__nameid_version1.0``: the named-property map (three streams, empty when none is used);
- ``__recip_version1.0_#0000000N`` and ``__attach_version1.0_#0000000N``: one storage each; an
  attached e-mail is a whole message in the attachment's ``__substg1.0_3701000D`` storage.

Streams under 4,096 bytes live in the mini stream (chained in the mini FAT), larger ones in
sectors of their own (chained in the FAT). The directory of each storage is a red-black tree.
"""
from __future__ import annotations

import datetime as dt
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5
RED, BLACK = 0, 1

# MAPI property types and the tags used here (MS-OXPROPS)
PT_LONG, PT_BOOLEAN, PT_SYSTIME, PT_UNICODE, PT_OBJECT, PT_BINARY = 0x0003, 0x000B, 0x0040, 0x001F, 0x000D, 0x0102
READABLE_WRITABLE = 0x6  # PROPATTR_READABLE | PROPATTR_WRITABLE
MSGFLAG_READ, MSGFLAG_HASATTACH = 0x1, 0x10
STORE_UNICODE_OK = 0x40000
MAPI_TO, MAPI_CC = 1, 2
ATTACH_BY_VALUE, ATTACH_EMBEDDED_MSG = 1, 5


# --------------------------------------------------------------------------- MS-CFB
@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[int] = field(default_factory=list)
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = BLACK
    start: int = ENDOFCHAIN


def _flatten(tree: dict, entries: list[_Entry], parent: _Entry) -> None:
    for name, value in tree.items():
        if len(name) > 31:
            raise ValueError(f"directory entry name longer than 31 characters: {name}")
        entry = _Entry(name, STORAGE if isinstance(value, dict) else STREAM, b"" if isinstance(value, dict) else value)
        entries.append(entry)
        parent.children.append(len(entries) - 1)
        if isinstance(value, dict):
            entry.start = 0  # a storage has no data: start and size are zero
            _flatten(value, entries, entry)


def _name_key(name: str) -> tuple[int, str]:
    """MS-CFB order of siblings: shorter names first, then code point by code point, upper-cased."""
    return len(name), name.upper()


def _link_siblings(entries: list[_Entry], ids: list[int], depth: int, deepest: int) -> int:
    """Make IDS (sorted) a balanced binary tree; return its root. Every level but the deepest is
    full, so colouring the deepest level red (and the rest black) makes it a red-black tree."""
    if not ids:
        return NOSTREAM
    mid = len(ids) // 2
    node = entries[ids[mid]]
    node.color = RED if depth == deepest and depth > 0 else BLACK
    node.left = _link_siblings(entries, ids[:mid], depth + 1, deepest)
    node.right = _link_siblings(entries, ids[mid + 1:], depth + 1, deepest)
    return ids[mid]


def _chain(first: int, count: int) -> list[int]:
    """FAT entries for COUNT consecutive sectors from FIRST."""
    return [first + i + 1 for i in range(count - 1)] + [ENDOFCHAIN] if count else []


def _sectors(n_bytes: int, size: int = SECTOR) -> int:
    return -(-n_bytes // size)


def _pad(data: bytes, size: int = SECTOR) -> bytes:
    return data + b"\0" * (-len(data) % size)


def _dir_entry(e: _Entry | None, size: int) -> bytes:
    if e is None:  # an unused slot at the end of the last directory sector
        return struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0)
    name = (e.name + "\0").encode("utf-16-le")
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), e.kind, e.color, e.left, e.right, e.child,
                       b"", 0, 0, 0, e.start, size)


def compound_file(tree: dict) -> bytes:
    """An MS-CFB version 3 file from a nested dict: name -> bytes (a stream) or dict (a storage)."""
    root = _Entry("Root Entry", ROOT)
    entries = [root]
    _flatten(tree, entries, root)
    for e in entries:
        if e.children:
            ids = sorted(e.children, key=lambda i: _name_key(entries[i].name))
            e.child = _link_siblings(entries, ids, 0, len(ids).bit_length() - 1)

    mini = b""  # the mini stream: small streams, each from a mini sector boundary
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in entries[1:]:
        if e.kind != STREAM or not e.data:
            continue
        if len(e.data) < MINI_CUTOFF:
            e.start = len(minifat)
            minifat += _chain(e.start, _sectors(len(e.data), MINI_SECTOR))
            mini += _pad(e.data, MINI_SECTOR)
        else:
            big.append(e)

    n_dir = _sectors(len(entries) * 128)
    n_minifat = _sectors(len(minifat) * 4)
    n_mini = _sectors(len(mini))
    n_big = [_sectors(len(e.data)) for e in big]
    n_data = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * SECTOR // 4 < n_fat + n_data:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("file too large for a header-only DIFAT (about 7 MB)")

    fat = [FATSECT] * n_fat
    dir_start = len(fat)
    fat += _chain(dir_start, n_dir)
    minifat_start = len(fat) if n_minifat else ENDOFCHAIN
    fat += _chain(len(fat), n_minifat)
    root.start = len(fat) if n_mini else ENDOFCHAIN
    fat += _chain(len(fat), n_mini)
    for e, n in zip(big, n_big):
        e.start = len(fat)
        fat += _chain(e.start, n)
    fat += [FREESECT] * (n_fat * SECTOR // 4 - len(fat))

    sizes = [len(mini)] + [len(e.data) for e in entries[1:]]
    directory = b"".join(_dir_entry(e, s) for e, s in zip(entries, sizes))
    directory += _dir_entry(None, 0) * (n_dir * 4 - len(entries))
    difat = list(range(n_fat)) + [FREESECT] * (109 - n_fat)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII109I", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE,
                         9, 6, b"", 0, n_fat, dir_start, 0, MINI_CUTOFF, minifat_start, n_minifat,
                         ENDOFCHAIN, 0, *difat)
    body = [struct.pack(f"<{len(fat)}I", *fat), directory,
            _pad(struct.pack(f"<{len(minifat)}I", *minifat) + b"\xff" * (n_minifat * SECTOR - 4 * len(minifat)))
            if n_minifat else b"",
            _pad(mini)] + [_pad(e.data) for e in big]
    return header + b"".join(body)


# --------------------------------------------------------------------------- MS-OXMSG
class _Props:
    """The property entries of one object (message, recipient, attachment) and its value streams."""

    def __init__(self) -> None:
        self.entries: list[bytes] = []
        self.streams: dict[str, bytes] = {}

    def _variable(self, pid: int, ptype: int, data: bytes, size: int) -> None:
        tag = pid << 16 | ptype
        self.streams[f"__substg1.0_{tag:08X}"] = data
        self.entries.append(struct.pack("<IIII", tag, READABLE_WRITABLE, size, 0))

    def string(self, pid: int, text: str) -> None:
        data = text.encode("utf-16-le")
        self._variable(pid, PT_UNICODE, data, len(data) + 2)

    def binary(self, pid: int, data: bytes) -> None:
        self._variable(pid, PT_BINARY, data, len(data))

    def long(self, pid: int, value: int) -> None:
        self.entries.append(struct.pack("<IIiI", pid << 16 | PT_LONG, READABLE_WRITABLE, value, 0))

    def boolean(self, pid: int, value: bool) -> None:
        self.entries.append(struct.pack("<IIHHI", pid << 16 | PT_BOOLEAN, READABLE_WRITABLE, int(value), 0, 0))

    def time(self, pid: int, when: dt.datetime) -> None:
        self.entries.append(struct.pack("<IIQ", pid << 16 | PT_SYSTIME, READABLE_WRITABLE, filetime(when)))

    def storage(self, header: bytes) -> dict:
        return {"__properties_version1.0": header + b"".join(self.entries), **self.streams}


def filetime(when: dt.datetime) -> int:
    """100-nanosecond intervals since 1601-01-01 UTC (a naive datetime is taken as UTC)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    delta = when - dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 10_000_000 + delta.microseconds * 10


def _recipient(row: int, name: str, address: str, kind: int) -> dict:
    p = _Props()
    p.long(0x3000, row)  # PR_ROWID
    p.long(0x0C15, kind)  # PR_RECIPIENT_TYPE
    p.string(0x3001, name)  # PR_DISPLAY_NAME
    p.string(0x3002, "SMTP")  # PR_ADDRTYPE
    p.string(0x3003, address)  # PR_EMAIL_ADDRESS
    p.string(0x39FE, address)  # PR_SMTP_ADDRESS
    return p.storage(b"\0" * 8)


def _attachment(row: int, name: str, data: bytes | dict, mime: str) -> dict:
    """An attachment by value (DATA is bytes) or an embedded message (DATA is a message_tree)."""
    p = _Props()
    p.long(0x0E21, row)  # PR_ATTACH_NUM
    p.long(0x370B, -1)  # PR_RENDERING_POSITION: not rendered in the body
    p.string(0x3001, name)  # PR_DISPLAY_NAME
    if isinstance(data, dict):
        p.long(0x3705, ATTACH_EMBEDDED_MSG)  # PR_ATTACH_METHOD
        p.entries.append(struct.pack("<IIII", 0x3701 << 16 | PT_OBJECT, READABLE_WRITABLE, 0xFFFFFFFF, 0))
        return {**p.storage(b"\0" * 8), "__substg1.0_3701000D": data}
    p.long(0x3705, ATTACH_BY_VALUE)  # PR_ATTACH_METHOD
    p.long(0x0E20, len(data))  # PR_ATTACH_SIZE
    p.string(0x3707, name)  # PR_ATTACH_LONG_FILENAME
    if "." in name:
        p.string(0x3703, name[name.rfind("."):])  # PR_ATTACH_EXTENSION
    if mime:
        p.string(0x370E, mime)  # PR_ATTACH_MIME_TAG
    p.binary(0x3701, data)  # PR_ATTACH_DATA_BIN
    return p.storage(b"\0" * 8)


def message_tree(subject: str, body: str, sender: tuple[str, str], to: list[tuple[str, str]], sent: dt.datetime,
                 attachments: list[tuple[str, bytes | dict, str]] = (), cc: list[tuple[str, str]] = (),
                 recipients: bool = True, embedded: bool = False) -> dict:
    """The storages and streams of a sent Outlook message (IPM.Note, Unicode strings).

    SENDER and each recipient are (display name, SMTP address); each attachment is (file name,
    bytes or the message_tree of an embedded message, MIME type). ``recipients=False`` leaves out
    the recipient storages (the display lists PR_DISPLAY_TO and PR_DISPLAY_CC remain), as some
    exporting tools do. An ``embedded`` message has the shorter header and no named-property map."""
    p = _Props()
    p.string(0x001A, "IPM.Note")  # PR_MESSAGE_CLASS
    p.string(0x0037, subject)  # PR_SUBJECT
    p.string(0x0E1D, subject)  # PR_NORMALIZED_SUBJECT
    p.string(0x1000, body)  # PR_BODY
    p.string(0x0C1A, sender[0])  # PR_SENDER_NAME
    p.string(0x0C1E, "SMTP")  # PR_SENDER_ADDRTYPE
    p.string(0x0C1F, sender[1])  # PR_SENDER_EMAIL_ADDRESS
    p.string(0x5D01, sender[1])  # PR_SENDER_SMTP_ADDRESS
    p.string(0x0042, sender[0])  # PR_SENT_REPRESENTING_NAME
    p.string(0x0E04, "; ".join(n for n, _ in to))  # PR_DISPLAY_TO
    p.string(0x0E03, "; ".join(n for n, _ in cc))  # PR_DISPLAY_CC
    p.time(0x0039, sent)  # PR_CLIENT_SUBMIT_TIME
    p.time(0x0E06, sent)  # PR_MESSAGE_DELIVERY_TIME
    p.long(0x0E07, MSGFLAG_READ | (MSGFLAG_HASATTACH if attachments else 0))  # PR_MESSAGE_FLAGS
    p.long(0x340D, STORE_UNICODE_OK)  # PR_STORE_SUPPORT_MASK
    p.long(0x3FDE, 65001)  # PR_INTERNET_CPID: UTF-8
    p.boolean(0x0E1B, bool(attachments))  # PR_HASATTACH
    rows = [(n, a, MAPI_TO) for n, a in to] + [(n, a, MAPI_CC) for n, a in cc] if recipients else []
    header = struct.pack("<8xIIII", len(rows), len(attachments), len(rows), len(attachments))
    tree = p.storage(header if embedded else header + b"\0" * 8)
    if not embedded:
        tree["__nameid_version1.0"] = {"__substg1.0_00020102": b"", "__substg1.0_00030102": b"", "__substg1.0_00040102": b""}
    for i, (name, address, kind) in enumerate(rows):
        tree[f"__recip_version1.0_#{i:08X}"] = _recipient(i, name, address, kind)
    for i, (name, data, mime) in enumerate(attachments):
        tree[f"__attach_version1.0_#{i:08X}"] = _attachment(i, name, data, mime)
    return tree


def msg(*args, **kwargs) -> bytes:
    """A ``.msg`` file: :func:`message_tree` (same arguments) in a compound file."""
    return compound_file(message_tree(*args, **kwargs))


def set_stream_size(data: bytes, name: str, size: int) -> bytes:
    """DATA with the size recorded in stream NAME's directory entry changed to SIZE: a damaged
    file that still opens. NAME must be unique in the file."""
    key = (name + "\0").encode("utf-16-le").ljust(64, b"\0")
    at = data.index(key)
    if (at - SECTOR) % 128 or data.count(key) != 1:
        raise ValueError(f"{name} is not one directory entry")
    return data[:at + 0x78] + struct.pack("<Q", size) + data[at + 0x80:]
