"""TorchScript fixtures, proved with Debian's python3-torch (1.13): /usr/bin/python3 make_torchscript_fixtures.py

ts_from_file.pt: a scripted module whose __setstate__ calls torch.from_file(path, shared=True):
torch.load (which dispatches TorchScript archives to torch.jit.load) creates that file.
ts_from_file_twin.pt: the same module without the call; it loads and touches nothing.
It also shows torch.load's rule for TorchScript: "constants.pkl" among the records relative to
the archive's folder, so archive/extra/constants.pkl leaves a torch.save archive to the plain
unpickler. Output recorded with torch 1.13:

    ts_from_file.pt: torch.load creates /tmp/sl-ts-ran: True
    ts_from_file_twin.pt: torch.load creates /tmp/sl-ts-ran: False
    constants.pkl at archive/extra/: torch.load -> dict (plain unpickler)
    constants.pkl at archive/: torch.load -> jit.load (TorchScript)
"""
import io
import os
import shutil
import warnings
import zipfile

import torch

MARK = "/tmp/sl-ts-ran"


class Evil(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(2))

    def forward(self, x):
        return torch.relu(x * self.w)

    @torch.jit.export
    def __getstate__(self):
        return (self.w, self.training)

    @torch.jit.export
    def __setstate__(self, state: tuple[torch.Tensor, bool]):
        self.training = state[1]
        t = torch.from_file("/tmp/sl-ts-ran", True, 4, dtype=torch.uint8)
        self.w = state[0] + t[:2].to(torch.float32) * 0.0


class Twin(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(2))

    def forward(self, x):
        return torch.relu(x * self.w)

    @torch.jit.export
    def __getstate__(self):
        return (self.w, self.training)

    @torch.jit.export
    def __setstate__(self, state: tuple[torch.Tensor, bool]):
        self.training = state[1]
        t = torch.zeros(4, dtype=torch.uint8)
        self.w = state[0] + t[:2].to(torch.float32) * 0.0


warnings.simplefilter("ignore")
for name, module in (("ts_from_file.pt", Evil()), ("ts_from_file_twin.pt", Twin())):
    torch.jit.save(torch.jit.script(module), name)
    if os.path.exists(MARK):
        os.remove(MARK)
    torch.load(name)
    print(f"{name}: torch.load creates {MARK}: {os.path.exists(MARK)}")

for where in ("archive/extra/", "archive/"):
    b = io.BytesIO()
    torch.save({"w": torch.ones(2)}, b)
    with zipfile.ZipFile(b, "a") as z:
        z.writestr(where + "constants.pkl", b"\x80\x02).")
    b.seek(0)
    try:
        kind = type(torch.load(b)).__name__ + " (plain unpickler)"
    except Exception as e:  # jit.load finds no code for this archive
        kind = "jit.load (TorchScript): " + type(e).__name__
    print(f"constants.pkl at {where}: torch.load -> {kind}")
