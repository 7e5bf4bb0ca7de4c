"""Writes the NumPy fixtures next to this script with the real numpy (run: python3 make_fixtures.py).

Every file is benign: the malicious shapes are built byte by byte in the Java tests. These
check that what numpy itself writes passes: numeric, structured and object arrays in .npy,
.npz, and ndarrays pickled with protocols 2, 4 and 5 (protocol 5 uses _frombuffer).
Never unpickle files from elsewhere to make fixtures.
"""
import io
import pickle
import numpy as np

np.save("numeric_v1.npy", np.arange(12, dtype="<f4").reshape(3, 4))
np.save("structured.npy", np.zeros(3, dtype=[("x", "<i4"), ("y", "<f8", (2,))]))
np.save("objects.npy", np.array([1, "two", (3, 4.5), None], dtype=object), allow_pickle=True)
np.save("structured_object.npy", np.array([(1, "a")], dtype=[("n", "<i8"), ("o", "O")]), allow_pickle=True)
np.savez("pair.npz", a=np.ones(3), b=np.arange(4))
np.savez_compressed("pair_compressed.npz", a=np.ones(3), b=np.array([1, None], dtype=object))
for proto in (2, 4, 5):
    with open("ndarray_protocol%d.pkl" % proto, "wb") as f:
        pickle.dump({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "s": np.float64(1.5)}, f, protocol=proto)
print("numpy", np.__version__)
