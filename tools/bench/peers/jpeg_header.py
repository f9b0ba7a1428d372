"""JPEG frame size from the SOF marker, without decoding.

OpenCV's reduced decode (IMREAD_REDUCED_COLOR_2/4/8) must be chosen before decoding, and
cv2 has no header-only reader, so the size is read from the markers directly.
"""

# SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC) in that range.
_SOF = {m for m in range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}
# Markers that stand alone (no length field): TEM, RST0..7 (SOI/EOI are handled separately).
_STANDALONE = {0x01} | set(range(0xD0, 0xD8))


def jpeg_size(buf):
    """(width, height) of a JPEG, or None when the header cannot be parsed."""
    n = len(buf)
    if n < 4 or buf[0] != 0xFF or buf[1] != 0xD8:
        return None
    i = 2
    while i + 4 <= n:
        if buf[i] != 0xFF:
            return None
        marker = buf[i + 1]
        if marker == 0xFF:  # fill byte before a marker
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # EOI or SOS before any SOF: no frame header
            return None
        length = (buf[i + 2] << 8) | buf[i + 3]
        if marker in _SOF:
            if i + 9 > n:
                return None
            height = (buf[i + 5] << 8) | buf[i + 6]
            width = (buf[i + 7] << 8) | buf[i + 8]
            return (width, height) if width and height else None
        i += 2 + length
    return None
