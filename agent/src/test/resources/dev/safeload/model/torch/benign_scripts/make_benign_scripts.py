"""Benign TorchScript archives that the operator allowlist must pass: a CNN (scripted and traced),
an LSTM/GRU, a TransformerEncoder, MultiheadAttention, norms and upsampling, a module with
str/dict/list code, raise and assert, and a dynamically quantized model (packed-weight classes).
Made with Debian's python3-torch 1.13: /usr/bin/python3 make_benign_scripts.py (in this folder).
"""
import torch, torch.nn as nn, torch.nn.functional as F, warnings
from typing import Dict, List, Optional, Tuple
warnings.simplefilter("ignore")
class CNN(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1=nn.Conv2d(3,8,3,padding=1); s.bn=nn.BatchNorm2d(8); s.pool=nn.MaxPool2d(2); s.ap=nn.AdaptiveAvgPool2d(1); s.fc=nn.Linear(8,10); s.dp=nn.Dropout(0.1)
    def forward(s,x):
        x=s.pool(torch.relu(s.bn(s.c1(x)))); x=s.ap(x); x=torch.flatten(x,1); return torch.log_softmax(s.fc(s.dp(x)),-1)
class RNN(nn.Module):
    def __init__(s):
        super().__init__(); s.emb=nn.Embedding(100,16); s.lstm=nn.LSTM(16,32,batch_first=True); s.gru=nn.GRU(32,32); s.fc=nn.Linear(32,2)
    def forward(s,x):
        h,_=s.lstm(s.emb(x)); h,_=s.gru(h); return s.fc(h[:, -1])
models = {
 "cnn": torch.jit.script(CNN()),
 "rnn": torch.jit.script(RNN()),
 "transformer": torch.jit.script(nn.TransformerEncoder(nn.TransformerEncoderLayer(16,2,32,batch_first=True),2)),
 "traced_cnn": torch.jit.trace(CNN().eval(), torch.randn(1,3,8,8)),
 "mha": torch.jit.script(nn.MultiheadAttention(16,2)),
 "norms": torch.jit.script(nn.Sequential(nn.LayerNorm(8), nn.GELU(), nn.GroupNorm(2,8), nn.SiLU(), nn.Upsample(scale_factor=2.0))),
}
from typing import Dict, List, Optional, Tuple
warnings.simplefilter("ignore")
class Misc(nn.Module):
    def __init__(s):
        super().__init__()
        s.c=nn.Conv1d(4,4,3); s.ct=nn.ConvTranspose2d(4,4,2,stride=2); s.ps=nn.PixelShuffle(2); s.pr=nn.PReLU(); s.bag=nn.EmbeddingBag(10,4)
        s.layers=nn.ModuleList([nn.Linear(4,4) for _ in range(2)]); s.hs=nn.Hardswish(); s.mish=nn.Mish(); s.sp=nn.Softplus()
    def forward(s, x: torch.Tensor, idx: torch.Tensor, cfg: Dict[str, int], names: List[str], opt: Optional[torch.Tensor] = None) -> Tuple[torch.Tensor, List[str]]:
        if x.dim() != 4:
            raise ValueError("expected 4d input, got " + str(x.dim()))
        assert x.size(1) == 4, "channels"
        y = s.ps(s.ct(x))
        y = F.pad(y, [1, 1, 1, 1], mode="reflect")
        y = F.interpolate(y, scale_factor=0.5, mode="bilinear", align_corners=False)
        z = F.normalize(y.flatten(1), dim=1)
        z = z + F.cosine_similarity(z, z).unsqueeze(1)
        if opt is not None:
            z = z * opt
        out: List[str] = []
        for n in names:
            if n.startswith("a") and len(n) > 1:
                out.append(n.upper())
        k = cfg.get("k", 1)
        v, i = torch.topk(z, k)
        oh = F.one_hot(idx, 10).float()
        e = s.bag(idx.unsqueeze(0))
        for l in s.layers:
            e = l(e)
        e = s.hs(e) + s.mish(e) + s.sp(s.pr(e))
        w = torch.argsort(v, dim=-1).float().mean() + oh.sum() + e.sum() + float(int(k))
        return w * torch.ones(1), out
m = torch.jit.script(Misc())
torch.jit.save(m, "misc.pt")
q = torch.ao.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4,4), nn.ReLU(), nn.Linear(4,2)), {nn.Linear}, dtype=torch.qint8)
torch.jit.save(torch.jit.script(q), "qdyn.pt")
for k, m in models.items():
    torch.jit.save(m, k + ".pt")
