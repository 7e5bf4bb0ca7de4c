"""Generates the HDF5 external-storage fixtures of KerasH5ExternalStorageTest.

Run with Debian's python3-h5py (h5py 3.7, HDF5 1.10): /usr/bin/python3 make_fixtures.py
Each attack is a Keras-2-shaped weights file (model_weights/dense/dense/kernel:0) whose kernel
reads its bytes from somewhere else; the script proves with h5py that it does. The benign twin
is the same file with the kernel stored inline.
"""
import json
import os
import tempfile

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "Dense", "config": {"name": "dense", "units": 2, "activation": "linear"}}]},
    "keras_version": "2.11.0", "backend": "tensorflow"})
# The outside file: any local file a loader can read. A temp file stands in for /etc/passwd.
SECRET = b"root:x:0:0:root:/root:/bin/bash\n" * 2
secret_dir = tempfile.mkdtemp()
secret = os.path.join(secret_dir, "secret.bin")
with open(secret, "wb") as f:
    f.write(SECRET)


def model(path):
    f = h5py.File(path, "w")
    f.attrs["model_config"] = CONFIG
    f.attrs["keras_version"] = "2.11.0"
    f.attrs["backend"] = "tensorflow"
    g = f.create_group("model_weights/dense/dense")
    g.create_dataset("bias:0", data=np.zeros(2, dtype="f4"))
    return f, g


# Benign twin: the kernel is in the file.
f, g = model(os.path.join(HERE, "inline.h5"))
g.create_dataset("kernel:0", data=np.arange(16, dtype="u1").reshape(4, 4))
f.close()

# External-file dataset (object header message 0x0007, External Data Files).
f, g = model(os.path.join(HERE, "external-file.h5"))
g.create_dataset("kernel:0", shape=(len(SECRET),), dtype="u1", external=[(secret, 0, h5py.h5f.UNLIMITED)])
f.close()

# External link (link message of type 64) to a dataset in another HDF5 file.
outside = os.path.join(secret_dir, "outside.h5")
with h5py.File(outside, "w") as o:
    o.create_dataset("data", data=np.frombuffer(SECRET, dtype="u1"))
f, g = model(os.path.join(HERE, "external-link.h5"))
g["kernel:0"] = h5py.ExternalLink(outside, "/data")
f.close()

# Virtual dataset (data layout class 3) mapping the outside file's dataset.
f, g = model(os.path.join(HERE, "virtual.h5"))
layout = h5py.VirtualLayout(shape=(len(SECRET),), dtype="u1")
layout[:] = h5py.VirtualSource(outside, "data", shape=(len(SECRET),))
g.create_virtual_dataset("kernel:0", layout)
f.close()

# Proof: each attack file reads the outside bytes through an ordinary dataset read.
for name in ["external-file.h5", "external-link.h5", "virtual.h5"]:
    with h5py.File(os.path.join(HERE, name), "r") as f:
        data = f["model_weights/dense/dense/kernel:0"][()].tobytes()
        assert data == SECRET, name
        print(name, "reads", len(data), "bytes of the outside file")
with h5py.File(os.path.join(HERE, "inline.h5"), "r") as f:
    assert f["model_weights/dense/dense/kernel:0"][()].tobytes() == bytes(range(16))
    print("inline.h5 reads its own kernel")
