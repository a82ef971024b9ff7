#!/usr/bin/env python3
"""Prints Table 1-style markdown rows (FP, FN, mIoU, precision, recall in %) of lpcam run folders' metrics.json.

Usage: python3 benchmarks/table1.py LABEL=out/RUN [LABEL=out/RUN ...]
Each method at the thresholds the run was given (CAM 0.15, LPCAM-F and LPCAM 0.3 by default) and at its best
threshold of the sweep.
"""
import json
import sys

METHODS = [("cam", "CAM"), ("lpcam_f", "LPCAM-F"), ("lpcam", "LPCAM")]


def pct(v):
    return f"{100 * v:.1f}"


def row(m):
    return f"{m['threshold']:.2f} | {pct(m['FP'])} | {pct(m['FN'])} | {pct(m['mIoU'])} | {pct(m['precision'])} | {pct(m['recall'])}"


def main(args):
    if not args:
        sys.exit(__doc__)
    print("| setting | method | t | FP | FN | mIoU | precision | recall | best t | FP | FN | mIoU | precision | recall |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for arg in args:
        label, _, folder = arg.partition("=")
        with open(f"{folder}/metrics.json", encoding="utf-8") as f:
            metrics = json.load(f)["methods"]
        for key, name in METHODS:
            if key not in metrics:
                continue
            m = metrics[key]
            print(f"| {label} | {name} | {row(m)} | {row(m['best'])} |")


if __name__ == "__main__":
    main(sys.argv[1:])
