"""Draw the brand images in custom_components/media_request_tracker/brand/.

Home Assistant 2026.3 and later serve a custom integration's own brand/
folder. The mark: a play button at the end of a track of stage dots, the
path a request takes from Jellyseerr to Jellyfin. Drawn at 4x and scaled
down, so the edges are smooth without any font or asset.

Run: .venv/bin/python scripts/make_brand_images.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (
    Path(__file__).resolve().parents[1]
    / "custom_components"
    / "media_request_tracker"
    / "brand"
)
PURPLE = (110, 64, 201, 255)
TEAL = (0, 164, 220, 255)
TRACK = (255, 255, 255, 255)


def mark(size: int, track: tuple[int, int, int, int]) -> Image.Image:
    """Square mark: a rounded tile with the stage track and a play button."""
    scale = 4
    full = size * scale
    image = Image.new("RGBA", (full, full), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    top, bottom = PURPLE, TEAL
    for row in range(full):
        share = row / (full - 1)
        colour = tuple(
            round(a + (b - a) * share) for a, b in zip(top, bottom, strict=True)
        )
        draw.line([(0, row), (full, row)], fill=colour)
    tile = Image.new("L", (full, full), 0)
    ImageDraw.Draw(tile).rounded_rectangle(
        (0, 0, full - 1, full - 1), radius=full // 5, fill=255
    )
    image.putalpha(tile)
    centre_y = full * 0.5
    dot = full * 0.055
    xs = [full * share for share in (0.16, 0.30, 0.44)]
    draw.line(
        [(xs[0], centre_y), (full * 0.58, centre_y)], fill=track, width=int(dot * 0.8)
    )
    for x in xs:
        draw.ellipse((x - dot, centre_y - dot, x + dot, centre_y + dot), fill=track)
    left, right, half = full * 0.56, full * 0.86, full * 0.19
    draw.polygon(
        [(left, centre_y - half), (right, centre_y), (left, centre_y + half)],
        fill=track,
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int, track: tuple[int, int, int, int]) -> Image.Image:
    """Wide logo: the mark on a transparent 2:1 canvas."""
    canvas = Image.new("RGBA", (height * 2, height), (0, 0, 0, 0))
    canvas.paste(mark(height, track), (height // 2, 0))
    return canvas


def main() -> None:
    """Write every size Home Assistant looks for."""
    BRAND.mkdir(exist_ok=True)
    # The tile is opaque, so one set serves light and dark themes alike.
    mark(256, TRACK).save(BRAND / "icon.png", optimize=True)
    mark(512, TRACK).save(BRAND / "icon@2x.png", optimize=True)
    logo(128, TRACK).save(BRAND / "logo.png", optimize=True)
    logo(256, TRACK).save(BRAND / "logo@2x.png", optimize=True)


if __name__ == "__main__":
    main()
