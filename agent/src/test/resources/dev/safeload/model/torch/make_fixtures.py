"""Writes the PyTorch fixtures next to this script with Debian's python3-torch (1.13):
apt-get install python3-torch, then /usr/bin/python3 make_fixtures.py.

Every file is benign and small: tensor variants a weights-only loader must accept (parameters,
bfloat16, int8, sparse, quantized, views sharing a storage, NumPy values in a checkpoint), in the zip format, the legacy
format and TorchScript. Never unpickle files from elsewhere to make fixtures.
"""
import collections
import numpy
import torch

torch.manual_seed(0)
base = torch.arange(12, dtype=torch.float32)
state = collections.OrderedDict([
    ("weight", torch.nn.Parameter(torch.randn(2, 3))),
    ("bf16", torch.ones(4, dtype=torch.bfloat16)),
    ("int8", torch.arange(5, dtype=torch.int8)),
    ("bool", torch.tensor([True, False])),
    ("view_a", base[:6]),
    ("view_b", base[6:].view(2, 3)),
    ("sparse", torch.eye(3).to_sparse()),
    ("quantized", torch.quantize_per_tensor(torch.rand(4), 0.1, 10, torch.quint8)),
    ("meta", {"epoch": 3, "lr": 1e-3, "name": "run-1", "steps": [1, 2, 3]}),
    ("numpy", {"array": numpy.arange(3), "scalar": numpy.float64(0.5), "dtype": numpy.dtype("f4")}),
])
torch.save(state, "variants_zip.pt")
torch.save(state, "variants_legacy.pt", _use_new_zipfile_serialization=False)

model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.ReLU())
torch.save(model.state_dict(), "conv_state_dict.pt")
torch.jit.save(torch.jit.script(model), "conv_script.pt")
# A whole module, not a state dict: it imports torch.nn classes, which weights-only refuses too.
torch.save(model, "whole_module.pt")
print("torch", torch.__version__)
