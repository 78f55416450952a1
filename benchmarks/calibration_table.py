"""Print the calibration table of docs/uncertainty.md: rms z over 20 seeds against exact references.

    PYTHONPATH=. python benchmarks/calibration_table.py
"""
import sys
import warnings

sys.path.insert(0, "tests")

from reference import brute_profile
from test_calibration import DATA_N, P0, SEEDS, T, _chain_joint, _ising_joint, _rms_z

import symsched as ss
from symsched.info.gibbs import gibbs_profile

COLUMNS = ["h_j", "H", "TC", "DTC", "O", "E KL"]


def row(name, profiles, h, schedule):
    rms = _rms_z(profiles, h, schedule)
    cells = [f"{rms[c]:.2f}" if c in rms else "exact" for c in COLUMNS]
    print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def main():
    print("| route | " + " | ".join(COLUMNS) + " |")
    print("| --- |" + " --- |" * len(COLUMNS))
    h, _ = brute_profile(_chain_joint())
    model = ss.markov_chain(DATA_N, P0, T)
    for method, rows in [("plugin", 500), ("miller-madow", 500), ("chao-shen", 500), ("markov", 500),
                         ("auto", 500), ("auto", 150)]:
        kw = {"homogeneous": True} if method == "markov" else {}
        profs = [ss.estimate_profile(ss.sample_exact(model, rows, seed=100 + s), method, seed=s, **kw) for s in SEEDS]
        row(f"data, {method}, n = {rows} ({profs[-1].method})", profs, h, (2, 3))
    g, joint = _ising_joint(2, 4, 0.45, 0.1)
    h, _ = brute_profile(joint)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for pieces in (False, True):
            profs = [gibbs_profile(ss.ising(g, 0.45, 0.1), seed=s, stderr=0.02, burn_in=50, exact_pieces=pieces,
                                   progress=False) for s in SEEDS]
            row(f"Gibbs, 2x4 Ising, J = 0.45{', exact pieces' if pieces else ''}", profs, h, (3, 5))


if __name__ == "__main__":
    main()
