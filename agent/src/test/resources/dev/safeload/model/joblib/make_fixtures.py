"""Writes the joblib fixtures next to this script with Debian's python3-joblib (1.2) and
python3-numpy (1.24): apt-get install python3-joblib python3-lz4, then
/usr/bin/python3 make_fixtures.py.

Every file is benign: arrays written raw after their wrappers (aligned), an object array
(a nested pickle), a vocabulary larger than the scanner keeps before the first array, and each
compression joblib offers. Never unpickle files from elsewhere to make fixtures.
"""
import joblib
import numpy as np

model = {
    "coef": np.arange(6, dtype=np.float64).reshape(2, 3),
    "classes": np.array([0, 1], dtype=np.int64),
    "labels": np.array(["cat", None, 3], dtype=object),
    "fortran": np.asfortranarray(np.ones((2, 2), dtype=np.float32)),
    "params": {"C": 1.0, "penalty": "l2"},
}
joblib.dump(model, "arrays.joblib")
joblib.dump({"vocabulary": {"w%d" % i: i for i in range(140000)}, "idf": np.ones(4)},
            "vocabulary.joblib", compress=("zlib", 9))
for method in ("zlib", "gzip", "bz2", "lzma", "xz", "lz4"):
    joblib.dump(model, "arrays.joblib." + method, compress=(method, 3))
print("joblib", joblib.__version__, "numpy", np.__version__)
