"""Where the allocations of one benchmark window come from, from the stack tables that
Benchmarks/AllocCounter/alloc-counter.c (built with -DALLOC_COUNTER_TRACE) writes; run by
scripts/alloc-sources.sh.

    python3 scripts/alloc-sources.py REQUESTS BASE.txt OTHER.txt [ROOT]

Symbolizes every stack (llvm-symbolizer from the Swift toolchain, with inlined frames;
swift-demangle for the names) and attributes each allocation to the innermost frame in the
project's own code (ROOT/Sources, ROOT/Backends, ROOT/Benchmarks, not the packages checked
out in build folders; ROOT is the checkout, the current folder by default), so allocations made inside the runtime, the standard
library, HTTPTypes or nghttp2 count against the project line that called into them.
Prints, per request, the sites whose counts differ between BASE (the pool) and OTHER (the
client), each with the project frames that led there, then the totals.
"""

import bisect
import collections
import json
import os
import subprocess
import sys

TOOLCHAIN = "/opt/swift/usr/bin"


def load(path):
    stacks, maps, dropped = [], [], 0
    with open(path) as f:
        section = "stacks"
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("dropped "):
                dropped = int(line.split()[1])
            elif line == "maps":
                section = "maps"
            elif section == "stacks" and line:
                words = line.split()
                stacks.append((int(words[0]), [int(w, 16) for w in words[1:]]))
            elif section == "maps" and line:
                words = line.split(maxsplit=5)
                if len(words) == 6 and words[5].startswith("/"):
                    start, end = (int(x, 16) for x in words[0].split("-"))
                    maps.append((start, end, int(words[2], 16), words[5]))
    if dropped:
        print(f"warning: {path} dropped {dropped} allocations (stack table full)", file=sys.stderr)
    return stacks, maps


class Symbolizer:
    def __init__(self, maps):
        self.ranges = sorted(maps)
        self.starts = [r[0] for r in self.ranges]
        self.bases = {}
        for start, _, offset, path in self.ranges:
            if offset == 0 and path not in self.bases:
                self.bases[path] = start
        self.cache = {}

    def module(self, address):
        i = bisect.bisect_right(self.starts, address) - 1
        if i >= 0 and self.ranges[i][0] <= address < self.ranges[i][1]:
            path = self.ranges[i][3]
            return path, address - self.bases.get(path, self.ranges[i][0] - self.ranges[i][2])
        return None, address

    def resolve(self, addresses):
        """Fills the cache: address -> [(function, file, line)], innermost inlined first."""
        by_module = collections.defaultdict(set)
        for address in addresses:
            if address in self.cache:
                continue
            path, offset = self.module(address - 1)  # a return address: the call is before it
            if path is None:
                self.cache[address] = [("?", "", 0)]
            else:
                by_module[path].add((address, offset))
        for path, items in by_module.items():
            items = sorted(items)
            text = "\n".join(hex(offset) for _, offset in items) + "\n"
            out = subprocess.run([f"{TOOLCHAIN}/llvm-symbolizer", "--output-style=JSON", "--inlining", f"--obj={path}"],
                                 input=text, capture_output=True, text=True).stdout
            for (address, _), line in zip(items, out.splitlines()):
                frames = [(s["FunctionName"] or "?", s["FileName"], s["Line"]) for s in json.loads(line)["Symbol"]]
                self.cache[address] = frames or [("?", "", 0)]
        names = sorted({f for frames in self.cache.values() for f, _, _ in frames if f.startswith("$s")})
        if names:
            out = subprocess.run([f"{TOOLCHAIN}/swift-demangle", "--simplified", "--compact"], input="\n".join(names) + "\n",
                                 capture_output=True, text=True).stdout.splitlines()
            demangled = dict(zip(names, out))
            for address, frames in self.cache.items():
                self.cache[address] = [(demangled.get(f, f), file, line) for f, file, line in frames]


def project_frames(stack, symbolizer, roots):
    """The stack's frames in the project's own files, innermost first, as 'Function (file:line)'."""
    frames = []
    for address in stack:
        for function, file, line in symbolizer.cache[address]:
            for root in roots:
                if file.startswith(root) and "/.build" not in file:
                    frames.append(f"{short(function)} ({file[len(root):]}:{line})")
                    break
    return frames


def short(function):
    return function if len(function) <= 110 else function[:107] + "..."


def attribute(path, requests, roots):
    stacks, maps = load(path)
    symbolizer = Symbolizer(maps)
    symbolizer.resolve({a for _, stack in stacks for a in stack})
    sites = collections.Counter()
    chains = collections.defaultdict(collections.Counter)
    for count, stack in stacks:
        frames = project_frames(stack, symbolizer, roots)
        site = frames[0] if frames else "(outside the project: " + short(symbolizer.cache[stack[0]][0][0]) + ")"
        sites[site] += count
        chains[site][" <- ".join(frames[1:5])] += count
    total = sum(count for count, _ in stacks)
    return sites, chains, total


def main():
    requests, base_path, other_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    root = os.path.abspath(sys.argv[4] if len(sys.argv) > 4 else ".")
    roots = [os.path.join(root, d) + "/" for d in ("Sources", "Backends", "Benchmarks")]
    base, base_chains, base_total = attribute(base_path, requests, roots)
    other, other_chains, other_total = attribute(other_path, requests, roots)
    print(f"{os.path.basename(base_path)}: {base_total / requests:.2f} allocations per request; "
          f"{os.path.basename(other_path)}: {other_total / requests:.2f} ({(other_total - base_total) / requests:+.2f})")
    print()
    print("Sites whose count differs (per request; each allocation at the innermost project frame, callers after it):")
    print()
    for site in sorted(set(base) | set(other), key=lambda s: -abs(other[s] - base[s])):
        delta = (other[site] - base[site]) / requests
        if abs(delta) < 0.05:
            continue
        print(f"{delta:+.2f}  {site}   [{base[site] / requests:.2f} -> {other[site] / requests:.2f}]")
        chains = other_chains[site] if other[site] >= base[site] else base_chains[site]
        for chain, count in chains.most_common(3):
            print(f"         {count / requests:.2f} via {chain or '(no caller in the project)'}")
    print()
    print(f"Every site of {os.path.basename(other_path)} (per request):")
    for site, count in other.most_common():
        if count / requests >= 0.05:
            print(f"  {count / requests:6.2f}  {site}")


if __name__ == "__main__":
    main()
