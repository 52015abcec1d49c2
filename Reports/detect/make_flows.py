#!/usr/bin/env python3
"""Writes a CICFlowMeter CSV of N flow records for the detect benchmarks (not committed).

usage: python make_flows.py --out FILE --rows N [--data DIR]

Records are drawn round-robin from the class files DIR/*.csv (sorted by name; default
/work/shared/data/cicids2017-improved): record 0 is the first row of the first file, record 1
the first row of the second file, ... A file whose rows are used up drops out of the round; when
every file is used up, the round starts again from each file's first row. So the output is
deterministic, mixes the classes from its first lines, and holds every source row once before
any repeats. The header is written once (all files must have the same header). Only the
standard library is used.
"""
import argparse
import glob
import os
import sys


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="the CSV to write")
    p.add_argument("--rows", type=int, required=True, help="records to write (besides the header)")
    p.add_argument("--data", default="/work/shared/data/cicids2017-improved", help="folder of class CSV files")
    a = p.parse_args()
    if a.rows < 1:
        sys.exit("make_flows: --rows must be at least 1")
    paths = sorted(glob.glob(os.path.join(a.data, "*.csv")))
    if not paths:
        sys.exit(f"make_flows: no CSV files in {a.data}")
    header = None
    files = []
    for path in paths:
        with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
            lines = [line.rstrip("\r\n") for line in f]
        lines = [line for line in lines if line.strip()]
        if not lines:
            continue
        if header is None:
            header = lines[0]
        elif lines[0] != header:
            sys.exit(f"make_flows: {path} has another header than {paths[0]}")
        if len(lines) > 1:
            files.append(lines[1:])
    if not files:
        sys.exit(f"make_flows: the files in {a.data} hold no records")
    written = 0
    with open(a.out, "w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        while written < a.rows:
            position = 0
            while written < a.rows:
                rows = [rows[position] for rows in files if position < len(rows)]
                if not rows:
                    break
                take = rows[:a.rows - written]
                out.write("\n".join(take) + "\n")
                written += len(take)
                position += 1
    print(f"make_flows: wrote {written} records from {len(files)} files to {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
