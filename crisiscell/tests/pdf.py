"""Reading PDFs back in tests: the page text and the exact text copy each PDF carries."""

from __future__ import annotations

import io

from pypdf import PdfReader


def attached_text(pdf: bytes) -> dict[str, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return {name: b"".join(contents).decode("utf-8") for name, contents in reader.attachments.items()}


def page_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def is_pdf(data: bytes) -> bool:
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
