#!/usr/bin/env python3
"""Renders collapsed stacks ("frame;frame;frame count" per line, as async-profiler's
`collapsed` output writes them) as a flame graph in SVG: one box per frame, as wide as its share
of the samples, callers below callees. Frames under `--min-percent` of all samples are left out.

    bench/flamegraph.py stacks.txt "Title" > flame.svg
"""

import argparse
import html
import sys

WIDTH = 1800
ROW = 16
FONT = 11
CHAR = 6.2  # average width of one character at FONT px


def tree(lines):
    root = {"name": "all", "count": 0, "children": {}}
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        root["count"] += samples
        node = root
        for frame in stack.split(";"):
            child = node["children"].setdefault(frame, {"name": frame, "count": 0, "children": {}})
            child["count"] += samples
            node = child
    return root


def color(name):
    if name.startswith(("io/sparkgate", "io.sparkgate")):
        return "rgb(80,160,230)"  # ours
    if "springframework/security" in name or "springframework.security" in name:
        return "rgb(230,120,80)"
    if "postgresql" in name or "zaxxer" in name:
        return "rgb(120,200,120)"
    if name.endswith("_[k]") or "[kernel" in name:
        return "rgb(200,200,200)"
    h = sum(map(ord, name)) % 60
    return f"rgb({205 + h // 3},{120 + h},{50 + h // 2})"


def boxes(node, x, depth, scale, minimum, out):
    width = node["count"] * scale
    if node["count"] < minimum:
        return depth
    out.append((x, depth, width, node["name"], node["count"]))
    deepest = depth
    child_x = x
    for child in sorted(node["children"].values(), key=lambda c: c["name"]):
        deepest = max(deepest, boxes(child, child_x, depth + 1, scale, minimum, out))
        child_x += child["count"] * scale
    return deepest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("stacks")
    parser.add_argument("title")
    parser.add_argument("--min-percent", type=float, default=0.1)
    args = parser.parse_args()
    with open(args.stacks) as f:
        root = tree(f)
    if root["count"] == 0:
        sys.exit("flamegraph: no samples")
    scale = WIDTH / root["count"]
    out = []
    depth = boxes(root, 0.0, 0, scale, root["count"] * args.min_percent / 100, out)
    height = (depth + 1) * ROW + 40
    svg = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'font-family="monospace" font-size="{FONT}">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="15">'
        f"{html.escape(args.title)} ({root['count']} samples)</text>",
    ]
    for x, level, width, name, count in out:
        y = height - (level + 1) * ROW - 4
        share = 100.0 * count / root["count"]
        label = name if len(name) * CHAR < width - 4 else name[: max(0, int((width - 4) / CHAR) - 2)] + ".."
        svg.append(
            f'<g><title>{html.escape(name)} ({count} samples, {share:.2f} %)</title>'
            f'<rect x="{x:.1f}" y="{y}" width="{max(width - 0.5, 0.1):.1f}" height="{ROW - 1}" '
            f'fill="{color(name)}" rx="1"/>'
            + (
                f'<text x="{x + 2:.1f}" y="{y + ROW - 4}">{html.escape(label)}</text>'
                if width > 3 * CHAR
                else ""
            )
            + "</g>"
        )
    svg.append("</svg>")
    print("\n".join(svg))


if __name__ == "__main__":
    main()
