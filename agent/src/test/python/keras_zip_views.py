"""Opens the .keras fixtures KerasZipReadersTest dumps as Keras 3's saving_lib does, with CPython's zipfile.

    mvn -o -B -q -pl agent test -Dtest=KerasZipReadersTest -Dsafeload.dumpFixtures=/tmp/kerasviews
    python3 agent/src/test/python/keras_zip_views.py /tmp/kerasviews

keras.saving.load_model(path) runs `with zipfile.ZipFile(path, "r") as zf: zf.open("config.json")`
and rebuilds the model from that JSON. For each file this prints the names zipfile lists and
whether the config.json it hands to Keras holds a Lambda layer (the evil config) or not.
Recorded output (CPython 3.11.7) is in the comments of KerasZipReadersTest.
"""
import json
import sys
import zipfile
from pathlib import Path

for path in sorted(Path(sys.argv[1]).iterdir()):
    try:
        with zipfile.ZipFile(path, "r") as zf:
            with zf.open("config.json", "r") as f:
                config = json.loads(f.read())
            classes = [layer["class_name"] for layer in config["config"]["layers"]]
            print(f"{path.name}: entries={zf.namelist()} config.json layers={classes}")
    except Exception as e:  # a reader refusing is a result too
        print(f"{path.name}: zipfile refuses: {type(e).__name__}: {e}")
