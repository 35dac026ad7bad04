"""After a run: how many failures each line of known-rejections.txt
(argv[1]) dropped (hooks.py wrote one matched line index a line to argv[2]).
Prints the counts on stderr and the unneeded lines on stdout."""

import collections
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from known import load  # noqa: E402

rules = load(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as file:
    used = collections.Counter(int(line) for line in file if line.strip())
print("known-rejections.txt: failures dropped per line:", file=sys.stderr)
for index, rule in enumerate(rules):
    print(f"  {used[index]:>5}  {' '.join(rule)}", file=sys.stderr)
for index, rule in enumerate(rules):
    if not used[index]:
        print("  " + " ".join(rule))
