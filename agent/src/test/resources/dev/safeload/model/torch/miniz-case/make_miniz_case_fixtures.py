"""TorchScript archives whose code records are named in upper case ("code/__torch__.PY").

PyTorchStreamReader finds records with miniz's mz_zip_reader_locate_file, which folds ASCII case,
so torch.jit.load compiles "__torch__.PY" as the module's source. Made from ../ts_from_file.pt
(whose __setstate__ calls torch.from_file(..., shared=True), creating /tmp/sl-ts-ran) and its twin.
Run with Debian's python3 (torch 1.13): python3 make_miniz_case_fixtures.py [--prove]
"""
import os, sys, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
MARK = '/tmp/sl-ts-ran'


def upper_py(src, dst):
    data = open(os.path.join(HERE, '..', src), 'rb').read()
    for info in zipfile.ZipFile(os.path.join(HERE, '..', src)).infolist():
        if info.filename.endswith('.py'):
            # Same length, so every offset stays; both the local and the central name change.
            data = data.replace(info.filename.encode(), info.filename[:-3].encode() + b'.PY')
    open(os.path.join(HERE, dst), 'wb').write(data)


upper_py('ts_from_file.pt', 'ts_code_upper_case.pt')
upper_py('ts_from_file_twin.pt', 'ts_code_upper_case_twin.pt')

if '--prove' in sys.argv:
    import torch
    for name in ['ts_code_upper_case.pt', 'ts_code_upper_case_twin.pt']:
        if os.path.exists(MARK):
            os.remove(MARK)
        m = torch.jit.load(os.path.join(HERE, name))
        names = [i.filename for i in zipfile.ZipFile(os.path.join(HERE, name)).infolist() if 'code/' in i.filename]
        print(f'{name:30s} {type(m).__name__}, {names[0]}: /tmp/sl-ts-ran created={os.path.exists(MARK)}')
