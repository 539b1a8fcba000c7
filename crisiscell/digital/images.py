"""Images: a PDQ hash with its quality, a viewing copy without metadata, a blurred copy.

The original is stored as received (its EXIF, GPS and camera data are evidence and
stay in it). People look at a viewing copy: the pixels only, re-encoded, with no
metadata. Intimate images are shown blurred unless an allowed role opens them with
a reason. PDQ (Meta's perceptual hash) finds the same picture re-encoded, resized or
lightly edited: two hashes match within a Hamming distance of 31 bits, and only
hashes of quality 50 or more are compared.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pdqhash
from PIL import Image, ImageFilter, ImageOps, UnidentifiedImageError

MATCH_DISTANCE = 31
MIN_QUALITY = 50
# Pillow refuses (DecompressionBombError) past twice this; a phone photo is < 50 Mpx.
Image.MAX_IMAGE_PIXELS = 100_000_000


class NotAnImage(ValueError):
    """The bytes could not be read as an image."""


@dataclass(frozen=True)
class ImageFacts:
    pdq_hash: str  # 64 hex digits
    pdq_quality: int
    viewing_copy: bytes  # JPEG, no metadata


def _open(data: bytes) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError, ValueError) as error:
        raise NotAnImage(str(error)) from error
    return image


def pdq(image: Image.Image) -> tuple[str, int]:
    rgb = np.asarray(image.convert("RGB"))
    vector, quality = pdqhash.compute(rgb)
    bits = "".join("1" if bit else "0" for bit in vector)
    return f"{int(bits, 2):064x}", int(quality)


def viewing_copy(image: Image.Image, *, max_side: int = 2048) -> bytes:
    """The pixels, turned upright, as a JPEG with no EXIF, GPS or other metadata."""
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((max_side, max_side))
    clean = Image.new("RGB", upright.size)
    clean.paste(upright)
    out = io.BytesIO()
    clean.save(out, format="JPEG", quality=88)
    return out.getvalue()


def facts(data: bytes) -> ImageFacts:
    image = _open(data)
    digest, quality = pdq(image)
    return ImageFacts(digest, quality, viewing_copy(image))


def blurred(viewing: bytes) -> bytes:
    """A copy too blurred to show anything but shapes and colours."""
    image = _open(viewing).convert("RGB")
    small = image.copy()
    small.thumbnail((16, 16))
    radius = max(8, max(image.size) // 12)
    big = small.resize(image.size, Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(radius))
    out = io.BytesIO()
    big.save(out, format="JPEG", quality=90)
    return out.getvalue()


def distance(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def matches(a: str, quality_a: int | None, b: str, quality_b: int | None) -> bool:
    if not a or not b or (quality_a or 0) < MIN_QUALITY or (quality_b or 0) < MIN_QUALITY:
        return False
    return distance(a, b) <= MATCH_DISTANCE
