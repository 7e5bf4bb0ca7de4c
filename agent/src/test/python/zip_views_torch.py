"""Loads the zip fixtures ZipReadersTest dumps with torch.load (PyTorch's miniz reader), in a
child process each, and says whether the evil data.pkl (posix.system "touch /tmp/x") ran.

    mvn -o -B -q -pl agent test -Dtest=ZipReadersTest -Dsafeload.dumpFixtures=/tmp/zipviews
    /usr/bin/python3 agent/src/test/python/zip_views_torch.py /tmp/zipviews   # Debian python3-torch 1.13

Recorded output is in the comments of ZipReadersTest.
"""
import os
import subprocess
import sys
from pathlib import Path

for path in sorted(Path(sys.argv[1]).iterdir()):
    if os.path.exists("/tmp/x"):
        os.remove("/tmp/x")
    r = subprocess.run([sys.executable, "-c", "import sys, torch; torch.load(sys.argv[1])", str(path)],
                       capture_output=True, text=True)
    last = (r.stderr.strip().splitlines() or [""])[-1][:110]
    ran = os.path.exists("/tmp/x")
    print(f"{path.name}: torch.load {'ok' if r.returncode == 0 else 'fails: ' + last}; evil ran: {ran}")
