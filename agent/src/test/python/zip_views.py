"""Opens the zip fixtures ZipReadersTest dumps with CPython's real zipfile and says what it sees.

    mvn -o -B -q -pl agent test -Dtest=ZipReadersTest -Dsafeload.dumpFixtures=/tmp/zipviews
    python3 agent/src/test/python/zip_views.py /tmp/zipviews

For each file: the entries zipfile lists, and whether the data.pkl it would hand to a loader
imports posix.system (the evil twin) or not. Recorded output (CPython 3.11.7) is in the
comments of ZipReadersTest.
"""
import pickletools
import sys
import zipfile
from pathlib import Path


def imports(data):
    return [arg for op, arg, _ in pickletools.genops(data) if op.name == "GLOBAL"]


for path in sorted(Path(sys.argv[1]).iterdir()):
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            pkl = z.read("archive/data.pkl")
            print(f"{path.name}: entries={names} data.pkl imports={imports(pkl)}")
    except Exception as e:  # a reader refusing is a result too
        print(f"{path.name}: zipfile refuses: {type(e).__name__}: {e}")
