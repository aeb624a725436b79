#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check that icons are well-formed SVG that renders.

usage: check-icon.py ICON.svg...

Each file must parse as XML with an <svg> root in the SVG namespace, a
square viewBox, no external references (icons are loaded from anywhere and
must be self-contained), and must render through GdkPixbuf (librsvg) at 16,
32 and 128 pixels to something not fully transparent. Symbolic icons
(*-symbolic.svg) may only use filled shapes, because GTK recolours them by
their fill.
"""

import sys
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def fail(path, message):
    print(f"{path}: {message}", file=sys.stderr)
    return 1


def check_tree(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as error:
        return fail(path, f"not well-formed XML: {error}")
    if root.tag != SVG_NS + "svg":
        return fail(path, f"root element is {root.tag}, not an SVG <svg>")
    view_box = root.get("viewBox", "").replace(",", " ").split()
    if len(view_box) != 4:
        return fail(path, "no viewBox")
    if float(view_box[2]) != float(view_box[3]):
        return fail(path, "viewBox is not square")
    errors = 0
    for element in root.iter():
        for attribute in ("href", XLINK_HREF):
            ref = element.get(attribute)
            if ref is not None and not ref.startswith("#"):
                errors += fail(path, f"external reference {ref!r}")
        if path.endswith("-symbolic.svg"):
            stroke = element.get("stroke")
            if stroke not in (None, "none"):
                errors += fail(path, f"symbolic icon uses a stroke on <{element.tag}>")
    return errors


def check_render(path):
    import gi

    gi.require_version("GdkPixbuf", "2.0")
    from gi.repository import GdkPixbuf, GLib

    errors = 0
    for size in (16, 32, 128):
        try:
            pixbuf = GdkPixbuf.Pixbuf.new_from_file_at_size(path, size, size)
        except GLib.Error as error:
            errors += fail(path, f"does not render at {size}px: {error.message}")
            continue
        if (pixbuf.get_width(), pixbuf.get_height()) != (size, size):
            errors += fail(path, f"renders as {pixbuf.get_width()}x{pixbuf.get_height()}, "
                                 f"not {size}x{size}")
            continue
        pixels = pixbuf.get_pixels()
        if pixbuf.get_has_alpha():
            channels = pixbuf.get_n_channels()
            opaque = sum(1 for i in range(channels - 1, len(pixels), channels) if pixels[i])
            if opaque == 0:
                errors += fail(path, f"renders fully transparent at {size}px")
    return errors


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    errors = 0
    for path in paths:
        tree_errors = check_tree(path)
        errors += tree_errors
        if not tree_errors:
            errors += check_render(path)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
