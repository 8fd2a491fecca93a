"""Writes the small .npy files core's NpyTest reads (run with Debian's /usr/bin/python3).

    /usr/bin/python3 tools/npy/make_npy_fixtures.py core/src/test/resources/npy
"""
import sys
from pathlib import Path

import numpy as np
from numpy.lib import format as npf

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 8 - 1
np.save(out / "v1_f32_2x3x4.npy", a)
with open(out / "v2_f32_2x3x4.npy", "wb") as f:
    npf.write_array(f, a, version=(2, 0))
with open(out / "v3_f32_2x3x4.npy", "wb") as f:
    npf.write_array(f, a, version=(3, 0))
np.save(out / "scalar_f32.npy", np.float32(3.5))
np.save(out / "vector_f32_5.npy", np.array([1, 2, 3, 4, 5], dtype=np.float32))
np.save(out / "bad_f64.npy", a.astype(np.float64))
np.save(out / "bad_int32.npy", np.arange(6, dtype=np.int32))
np.save(out / "bad_bigendian.npy", a.astype(">f4"))
np.save(out / "bad_fortran.npy", np.asfortranarray(a))
data = (out / "v1_f32_2x3x4.npy").read_bytes()
(out / "bad_truncated.npy").write_bytes(data[:-10])
(out / "bad_magic.npy").write_bytes(b"NOTNUMPY" + data[8:])
