"""Generates filtered.h5 for ShadedJarFormatsTest: a Keras-2-shaped weights file whose datasets are
chunked and filtered (LZF, gzip with shuffle, Fletcher-32), read back by h5py here.

The agent's Keras checks read attributes and object headers, never dataset data, so the jar leaves
out the decoders jHDF would need for LZF and LZ4 (agent/pom.xml). The file must still be judged.
Run with Debian's python3-h5py (h5py 3.7, HDF5 1.10): /usr/bin/python3 make_filtered.py
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIG = json.dumps({"class_name": "Sequential", "config": {"name": "sequential", "layers": [
    {"class_name": "Dense", "config": {"name": "dense", "units": 4, "activation": "linear"}}]},
    "keras_version": "2.11.0", "backend": "tensorflow"})
KERNEL = np.arange(16, dtype="f4").reshape(4, 4)
BIAS = np.ones(4, dtype="f4")

path = os.path.join(HERE, "filtered.h5")
with h5py.File(path, "w", track_order=False) as f:
    f.attrs["model_config"] = CONFIG
    f.attrs["keras_version"] = "2.11.0"
    f.attrs["backend"] = "tensorflow"
    g = f.create_group("model_weights/dense/dense")
    g.create_dataset("kernel:0", data=KERNEL, chunks=(2, 4), compression="lzf", track_times=False)
    g.create_dataset("bias:0", data=BIAS, chunks=(2,), compression="gzip", shuffle=True, fletcher32=True,
                     track_times=False)

with h5py.File(path, "r") as f:
    g = f["model_weights/dense/dense"]
    assert g["kernel:0"].compression == "lzf" and (g["kernel:0"][()] == KERNEL).all()
    assert g["bias:0"].compression == "gzip" and (g["bias:0"][()] == BIAS).all()
    print("filtered.h5:", os.path.getsize(path), "bytes; kernel LZF, bias gzip+shuffle+fletcher32, both read back")
