# Regenerates numpy_fixture.npz (read by NpzReaderTest) with real numpy: python3 make_fixture.py
import numpy as np

np.savez(
    "numpy_fixture.npz",
    f8=np.array([[1.5, -2.25, 3.0], [0.1, 1e-300, -0.0]], dtype="<f8"),
    f4=np.array([0.5, -1.25], dtype="<f4"),
    i8=np.array([-3, 0, 7, 2**40], dtype="<i8"),
    fortran=np.asfortranarray(np.arange(6, dtype="<f8").reshape(2, 3)),
    scalar=np.float64(2.5),
)
np.savez_compressed("numpy_fixture_compressed.npz", x=np.linspace(0.0, 1.0, 5))
