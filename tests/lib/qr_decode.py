#!/usr/bin/python3
"""Decodes a QR code drawn in a terminal with half blocks, e.g. a tmux
`capture-pane -p` of keydesk's screen, and prints its text.

    /usr/bin/python3 tests/lib/qr_decode.py [--png OUT] [--scale N] [FILE]

FILE (default stdin) is the captured text.  Each character cell is one
module wide and two tall; the block parts are the dark modules:
U+2588 full, U+2580 upper half, U+2584 lower half, space light.  Other
lines, and text beside the code (instructions to its right), are ignored;
the code may be indented.  The code is rendered dark on white with a
4-module border, N px per module (default 4), and read by zbarimg
(Debian zbar-tools).  Exit 0 and the decoded text on stdout; 1 if nothing
decodes; 2 on bad usage.  --png keeps the rendered image.

From Python: decode(text) -> str or None; modules(text) -> rows of 0/1.
Run with /usr/bin/python3 (Debian's python3-pil).
"""
import argparse
import os
import subprocess
import sys
import tempfile

from PIL import Image

# (top, bottom) modules of one character cell.
BLOCKS = {'\u2588': (1, 1), '\u2580': (1, 0), '\u2584': (0, 1)}
FINDER = 7      # a finder pattern is 7 modules wide


def _row_modules(line, left, width, half):
    return [BLOCKS.get(ch, (0, 0))[half]
            for ch in line[left:left + width].ljust(width)]


def modules(text):
    """The symbol's modules (rows of 0/1, no quiet zone), or None."""
    lines = text.splitlines()
    # Every text row of a QR has a dark module (the timing column makes
    # sure), so the code is the tallest run of lines holding blocks.
    best, start = (0, 0), None
    for i, line in enumerate(lines + ['']):
        has = any(ch in BLOCKS for ch in line)
        if has and start is None:
            start = i
        elif not has and start is not None:
            if i - start > best[1] - best[0]:
                best = (start, i)
            start = None
    if best[1] == best[0]:
        return None
    rows = lines[best[0]:best[1]]
    # The symbol's left edge is the leftmost dark module; its top row
    # (the finder patterns' top edges) ends at its right edge, so the
    # width comes from that row alone: text to the right, on any row, is
    # never mistaken for modules.
    left = min(min((c for c, ch in enumerate(l) if ch in BLOCKS),
                   default=len(l)) for l in rows)
    width = max(len(l) for l in rows) - left
    grid = [m for l in rows for m in (_row_modules(l, left, width, 0),
                                      _row_modules(l, left, width, 1))]
    top = next(y for y, r in enumerate(grid) if r[0])
    right = max(x for x, v in enumerate(grid[top]) if v)
    size = right + 1
    if size < 21 or (size - 21) % 4 or top + size > len(grid):
        return None     # not a QR symbol's shape
    return [r[:size] for r in grid[top:top + size]]


def render(mods, path, scale=4, border=4):
    n = len(mods) + 2 * border
    img = Image.new('L', (n, n), 255)
    for y, row in enumerate(mods):
        for x, dark in enumerate(row):
            if dark:
                img.putpixel((x + border, y + border), 0)
    # zbar wants sharp edges: nearest neighbour, never smoothing.
    img.resize((n * scale, n * scale), Image.NEAREST).save(path)


def decode(text, scale=4, png=None):
    mods = modules(text)
    if mods is None:
        return None
    with tempfile.TemporaryDirectory(prefix='kd-qr-') as d:
        path = png or os.path.join(d, 'qr.png')
        render(mods, path, scale)
        # stderr: zbar's D-Bus complaint, every time, in a container.
        r = subprocess.run(['zbarimg', '-q', '--raw', path],
                           capture_output=True, timeout=30)
    if r.returncode != 0 or not r.stdout:
        return None
    out = r.stdout.decode('utf-8', errors='replace')
    return out[:-1] if out.endswith('\n') else out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('file', nargs='?')
    ap.add_argument('--png')
    ap.add_argument('--scale', type=int, default=4)
    a = ap.parse_args()
    if a.file:
        with open(a.file, encoding='utf-8', errors='replace') as f:
            text = f.read()
    else:
        text = sys.stdin.buffer.read().decode('utf-8', errors='replace')
    out = decode(text, a.scale, a.png)
    if out is None:
        print('qr_decode: no QR code decoded', file=sys.stderr)
        return 1
    print(out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
