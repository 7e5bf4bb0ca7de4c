"""Writes the joblib fixtures next to this script with Debian's python3-joblib (1.2) and
python3-numpy (1.24): apt-get install python3-joblib python3-lz4, then
/usr/bin/python3 make_fixtures.py.

Benign: arrays written raw after their wrappers (aligned), an object array (a nested
pickle), a vocabulary larger than the scanner keeps before the first array, and each
compression joblib offers. Blocked: payload_after_arrays*, an os.system reducer placed after
the arrays and inside an object array (harmless command "true"; these files are never loaded).
Never unpickle files from elsewhere to make fixtures.
"""
import os
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


class Payload:
    def __reduce__(self):
        return (os.system, ("true",))


evil = dict(model, after=Payload())
joblib.dump(evil, "payload_after_arrays.joblib")
joblib.dump(evil, "payload_after_arrays.joblib.gzip", compress=("gzip", 3))
joblib.dump({"coef": np.ones(3), "objects": np.array([1, Payload()], dtype=object)}, "payload_in_object_array.joblib")
print("joblib", joblib.__version__, "numpy", np.__version__)
