"""Hostile input refused fast (issue 23, item 4): every payload of the issue's list gets a clear ValueError
(naming the argument or the offending token) in under two seconds, and the two false refusals are accepted.

Each test times the call: ``refused_fast`` asserts the error, its message and the time.  Where a payload is
now accepted, the value is checked against an independent computation (sympy built by hand, numpy, mpmath).
"""

import bz2
import gzip
import os
import stat
import time

import numpy as np
import pytest
import sympy as sp

import symsched as ss
from symsched.cli import main
from symsched.errors import ModelTooLargeError, SymschedError
from symsched.parsing import MAX_DEPTH, parse_formula, parse_number

u = sp.Symbol("u")
SECONDS = 2.0
WALL_SECONDS = 30.0


def refused_fast(fn, *args, match, error=ValueError, seconds=SECONDS, **kwargs):
    """Call ``fn``; assert it raises ``error`` whose message matches ``match`` (regex, case-insensitive)
    within ``seconds`` of CPU time; return the message.

    CPU time measures the work done whatever else the (shared) machine runs; the wall clock is bounded too,
    more loosely, to catch a call that blocks without working (a FIFO opened for reading)."""
    wall, cpu = time.perf_counter(), time.process_time()
    with pytest.raises(error, match=f"(?i){match}") as info:
        fn(*args, **kwargs)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert cpu < seconds, f"refused after {cpu:.2f} s of CPU time (limit {seconds} s): {info.value}"
    assert wall < WALL_SECONDS, f"refused after {wall:.2f} s (wall clock): {info.value}"
    return str(info.value)


# -- the formula parser: every intermediate value bounded, numbers read with a budget -------------------

@pytest.mark.parametrize("text,words", [
    ("gamma(gamma(gamma(5)))", "gamma"),
    ("gamma(10**199)", "gamma"),
    ("loggamma(10**199)", "loggamma"),
    ("1e-99999999*u", "exponent -99999999"),
    ("1e-300000", "exponent -300000"),
    ("gamma(1/2 + 10**199)", "gamma"),
    ("exp(10**199) + u", "exp"),
    ("E**(10**199) * u", "exponent"),
    ("E**(pi*10**4) * u", "power"),
    ("sqrt(10**3999 + 7)", "digits"),
    ("sin(acos(10**3999))", "digits"),
    ("sqrt(9**999 - I)", "digits"),
    ("sinh(atanh(1e-300/1e300))", "digits"),
    ("(10**299 + 7)**(1/2) * (10**299 + 9)**(1/2)", "digits"),
    ("2**3000 * 3**3000 * 5**3000", "digits"),
    ("(u + 10**3000)**2", "digits"),
    ("sinh(sinh(loggamma(-1/2)))", "constants nest"),
    ("abs(sqrt(loggamma(I)))", "constants nest"),
    ("atanh(gamma(sin(sqrt(acos(7)))))", "constants nest"),
])
def test_formula_values_bounded(text, words):
    msg = refused_fast(parse_formula, text, {"u": u}, match="formula", error=SymschedError)
    assert words.lower() in msg.lower(), msg


def test_formula_payloads_refused_fast_through_the_api():
    refused_fast(ss.riemann_limit, "gamma(gamma(gamma(5)))*(1-u)", u, match="gamma")
    refused_fast(ss.riemann_limit, "1 - 1e-99999999*u", u, match="exponent")


def test_flat_sum_of_2400_terms_is_accepted():
    # breadth is not depth: a chain of + is one nesting level however long
    flat = "+".join(["u"] * 2400)
    start = time.process_time()
    assert parse_formula(flat, {"u": u}) == 2400 * u
    assert time.process_time() - start < SECONDS
    # a mixed flat chain of + and - , * and /, against the sum built by sympy term by term
    chain = "-".join(f"u**{k % 4}/{k % 3 + 1}" for k in range(600))
    expected = u ** 0 / 1
    for k in range(1, 600):
        expected = expected - u ** (k % 4) / (k % 3 + 1)
    assert sp.expand(parse_formula(chain, {"u": u}) - expected) == 0
    assert parse_formula("*".join(["u"] * 2400), {"u": u}) == u ** 2400


def test_real_nesting_still_bounded():
    deep = "-(" * (MAX_DEPTH + 5) + "u" + ")" * (MAX_DEPTH + 5)
    refused_fast(parse_formula, deep, {"u": u}, match="nesting", error=SymschedError)
    refused_fast(parse_formula, "+".join(["u"] * 3000), {"u": u}, match="characters", error=SymschedError)


@pytest.mark.parametrize("text", ["1/(1+3*u)", "1 - u**2/2 + u**3/3 - 0.25*u*u", "exp(-u) * log(2)",
                                  "gamma(3/2) * u + loggamma(5)", "sqrt(8) * u - 2**100 / 3**50",
                                  "2^3^2 - u/2/3*4", "max(u, 1/2) - min(u, 0.1e1)", "1e-300 * u + 1e300",
                                  "exp(700) - sinh(1/2)", "(2*u)**20 - 9**999", "exp(-sqrt(2)) * u",
                                  "exp(-sqrt(log(u + 1)))", "sin(cos(tan(u)))"])
def test_values_of_valid_formulas_unchanged(text):
    # sympy's own parser (trusted on these harmless strings) gives the same expression
    expected = sp.sympify(text.replace("^", "**"), locals={"u": u, "max": sp.Max, "min": sp.Min},
                          rational=True)
    assert sp.simplify(parse_formula(text, {"u": u}) - expected) == 0


@pytest.mark.parametrize("text,value", [("0.1", sp.Rational(1, 10)), ("-2.5e-3", sp.Rational(-1, 400)),
                                        ("1/3", sp.Rational(1, 3)), (" 7 ", 7), ("1_000", 1000), (".5", sp.S.Half),
                                        ("1e308", sp.Integer(10) ** 308)])
def test_parse_number_reads_exactly(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text,words", [("1e-99999999", "exponent"), ("1e-300000", "exponent"),
                                        ("9" * 300, "characters"), ("1/0", "zero"), ("abc", "not a decimal"),
                                        ("0x10", "not a decimal"), ("nan", "not a decimal"),
                                        ("inf", "not a decimal"), ("", "not a decimal")])
def test_parse_number_refuses(text, words):
    msg = refused_fast(parse_number, text, "--threshold", match="--threshold", error=SymschedError)
    assert words in msg


@pytest.mark.parametrize("argv", [
    ["policy", "chain:5:0.1", "--policy", "threshold", "--threshold", "1e-99999999"],
    ["policy", "chain:5:0.1", "--policy", "entropy-bound", "--gamma", "1e-300000"],
    ["profile", "chain:5:1e-99999999"],
    ["profile", "chain:5:0.1", "--base", "1e99999999"],
])
def test_cli_numbers_share_the_bounded_reader(argv, capsys):
    start = time.process_time()
    code = main(argv)
    _, err = capsys.readouterr()
    assert time.process_time() - start < SECONDS
    assert code == 2 and "must be a number" in err, err


# -- files: what a path is, decompression with a cap, linear comment stripping, .npy headers ------------

BIF = ("network x {}\nvariable A { type discrete [ 2 ] { a, b }; }\n"
       "probability ( A ) { table 0.25, 0.75; }\n")


def _bomb(path, kind, members=1500):
    """A multi-member gzip / bzip2 file of ``members`` MB of spaces (valid, each member decompresses to 1 MB)."""
    block = b" " * 2 ** 20
    one = gzip.compress(block) if kind == "gz" else bz2.compress(block)
    path.write_bytes(one * members)
    return path


@pytest.mark.parametrize("kind", ["gz", "bz2"])
def test_compressed_bomb_refused_early(tmp_path, kind):
    bomb = _bomb(tmp_path / f"net.bif.{kind}", kind)
    assert bomb.stat().st_size < 2 * 2 ** 20  # 1.5 GB of content in under 2 MB
    msg = refused_fast(ss.read_bif, bomb, match="expands to more than", error=ModelTooLargeError)
    assert "max_bytes" in msg
    refused_fast(ss.read_data, bomb, block=4, match="expands to more than", error=ModelTooLargeError)


@pytest.mark.parametrize("kind", ["gz", "bz2"])
def test_compressed_files_read_as_plain(tmp_path, kind):
    plain = tmp_path / "net.bif"
    plain.write_text(BIF)
    packed = tmp_path / f"net.bif.{kind}"
    packed.write_bytes(gzip.compress(BIF.encode()) if kind == "gz" else bz2.compress(BIF.encode()))
    a, b = ss.read_bif(plain), ss.read_bif(packed)
    assert a.variables == b.variables and np.array_equal(a.cpd("A")[1], b.cpd("A")[1])
    assert list(b.cpd("A")[1]) == [0.25, 0.75]


def test_plain_file_over_the_cap_refused_by_its_size(tmp_path):
    f = tmp_path / "big.bif"
    f.write_text(BIF + " " * 5000)
    refused_fast(ss.read_bif, f, max_bytes=1000, match="max_bytes", error=ModelTooLargeError)
    assert ss.read_bif(f, max_bytes=10 ** 6).variables == ("A",)


def test_unclosed_comments_refused_in_linear_time(tmp_path):
    f = tmp_path / "c.bif"
    f.write_text("/* x\n" * 200_000)  # 1 MB of unclosed block comments
    refused_fast(ss.read_bif, f, match="never closed", error=SymschedError)
    g = tmp_path / "ok.bif"
    g.write_text("/* a\ncomment */\n" * 20000 + BIF.replace("variable A", "// c\nvariable A"))
    bn = ss.read_bif(g)
    assert bn.variables == ("A",)


def test_comments_keep_line_numbers(tmp_path):
    f = tmp_path / "dup.bif"
    f.write_text("/* one\ntwo\n*/ // three\n"  # lines 1-3
                 "variable A { type discrete [ 2 ] { a, b }; }\n"  # line 4
                 "variable B { type discrete [ 2 ] { a, b }; }\n"  # line 5
                 "probability ( A ) { table 0.5, 0.5; }\n"  # line 6
                 "probability ( B | A ) {\n (a) 0.5, 0.5;\n /* x\n */ (a) 0.1, 0.9;\n (b) 0.5, 0.5; }\n")
    with pytest.raises(SymschedError, match=r"line 10: .*already given on line 8"):
        ss.read_bif(f)


def _npy_claiming(path, shape, payload=b"\0" * 64):
    header = f"{{'descr': '<i8', 'fortran_order': False, 'shape': {shape}, }}".encode()
    header += b" " * (118 - len(header)) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + payload)
    return path


def test_npy_header_checked_before_allocating(tmp_path):
    f = _npy_claiming(tmp_path / "lie.npy", (10 ** 9, 1000))
    assert f.stat().st_size == 193
    msg = refused_fast(ss.read_data, f, match="header claims shape", error=SymschedError)
    assert "(1000000000, 1000)" in msg


def test_npy_valid_still_read(tmp_path):
    x = np.arange(12, dtype=np.int32).reshape(4, 3) % 2
    np.save(tmp_path / "x.npy", x)
    rows, states = ss.read_data(tmp_path / "x.npy")
    assert states is None and np.array_equal(rows, x)
    np.save(tmp_path / "t.npy", x[:2])
    with open(tmp_path / "t.npy", "r+b") as fh:  # truncated: one byte of data missing
        fh.truncate(os.path.getsize(tmp_path / "t.npy") - 1)
    refused_fast(ss.read_data, tmp_path / "t.npy", match="truncated", error=SymschedError)


def test_directories_fifos_and_devices_named(tmp_path):
    msg = refused_fast(ss.read_data, tmp_path, block=3, match="is a directory", error=SymschedError)
    assert "does not exist" not in msg
    refused_fast(ss.read_bif, tmp_path, match="is a directory", error=SymschedError)
    refused_fast(ss.read_data, "/dev/zero", block=3, match="character device", error=SymschedError)
    refused_fast(ss.read_bif, "/dev/zero", match="character device", error=SymschedError)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    refused_fast(ss.read_data, fifo, block=3, match="named pipe", error=SymschedError)
    refused_fast(ss.read_bif, fifo, match="named pipe", error=SymschedError)
    refused_fast(ss.read_data, tmp_path / "missing.txt", block=3, match="does not exist", error=SymschedError)


def test_text_data_unchanged_by_the_capped_reader(tmp_path):
    f = tmp_path / "t.txt"
    f.write_bytes(b"ab\r\ncd\rab\ncd ef")
    rows, states = ss.read_data(f, block=3, alphabet="abcdef")
    with open(f, encoding="utf-8") as fh:  # what open() in text mode gives, cut by hand
        text = fh.read()
    codes = ["abcdef".index(c) if c in "abcdef" else 6 for c in text]
    expected = np.array(codes[: len(codes) // 3 * 3]).reshape(-1, 3)
    assert np.array_equal(rows, expected)


# -- LaTeX: self-containing objects, max_items ---------------------------------------------------------

def test_to_latex_of_a_list_containing_itself():
    a = [1, 0.5]
    a.append(a)
    msg = refused_fast(ss.to_latex, a, match="contains itself", error=SymschedError)
    assert "recursion detected" in msg
    d = {"x": 1}
    d["self"] = [d]
    refused_fast(ss.to_latex, d, match="contains itself", error=SymschedError)
    deep = [1]
    for _ in range(5000):
        deep = [deep]
    refused_fast(ss.to_latex, deep, match="nested more than", error=SymschedError)


def test_to_latex_shared_but_not_cyclic_entries_print():
    shared = [0.5, 0.25]
    assert ss.to_latex([shared, shared]) == r"\left(\left(0.5, 0.25\right), \left(0.5, 0.25\right)\right)"
    assert ss.to_latex((1, [2, (3,)])) == r"\left(1, \left(2, \left(3\right)\right)\right)"


@pytest.mark.parametrize("bad", [0, 1, -3, 2.5, True, "3"])
def test_latex_sequence_max_items_checked(bad):
    refused_fast(ss.latex_sequence, [1, 2, 3], max_items=bad, match="max_items", error=SymschedError)


def test_latex_sequence_max_items_shortens():
    assert ss.latex_sequence(list(range(10)), max_items=3) == r"\left(0, 1, \ldots, 9\right)"
    assert ss.latex_sequence([1, 2], max_items=2) == r"\left(1, 2\right)"


# -- silently accepted arguments, now refused naming the argument ---------------------------------------

PROF = [0.7, 0.4, 0.1]


@pytest.mark.parametrize("call,name", [
    (lambda: ss.optimal_schedule(PROF, 2, exact="yes"), "exact"),
    (lambda: ss.optimal_frontier(PROF, exact="no"), "exact"),
    (lambda: ss.min_steps_for_kl(PROF, 0.1, exact=1), "exact"),
    (lambda: ss.tc_schedule_zeta(6, 2, drop_empty="no"), "drop_empty"),
    (lambda: ss.dtc_schedule(6, 1, 0.1, drop_empty="yes"), "drop_empty"),
    (lambda: ss.ccl_fixed_k_schedule(6, 3, drop_empty=0, fallback="constant"), "drop_empty"),
    (lambda: ss.export_schedule(ss.Schedule([1, 2]), "grid", exact="yes"), "exact"),
    (lambda: ss.load_example("cancer", exact="no"), "exact"),
    (lambda: ss.policy_kl(ss.copy_model(3), "confidence", sizes=[1, 2], budget=float("nan")), "budget"),
    (lambda: ss.policy_kl(ss.copy_model(3), "confidence", sizes=[1, 2], law="no"), "law"),
    (lambda: ss.exact_denoiser(ss.copy_model(3), max_entries=float("nan")), "max_entries"),
    (lambda: ss.exact_denoiser(ss.copy_model(3), max_entries=-1), "max_entries"),
])
def test_silently_accepted_now_refused(call, name):
    msg = refused_fast(call, match=name)
    assert "got" in msg


def test_flags_keep_their_meaning(tmp_path):
    # True / False / numpy bools / None (where allowed) give what they gave before
    a = ss.optimal_schedule(PROF, 2, exact=True)
    b = ss.optimal_schedule(PROF, 2, exact=np.True_)
    assert a.sizes == b.sizes and a.kl == b.kl
    assert ss.tc_schedule_zeta(6, 2, drop_empty=True).sizes == tuple(k for k in ss.tc_schedule_zeta(6, 2).sizes if k)
    f = tmp_path / "x.bif"
    f.write_text(BIF)
    assert ss.read_bif(f, exact=True).cpd("A")[1][0] == sp.Rational(1, 4)
    refused_fast(ss.read_bif, f, exact="yes", match="exact")


def test_ising_coupling_for_a_pair_that_is_not_an_edge():
    import networkx as nx
    g = nx.path_graph(3)
    msg = refused_fast(ss.ising, g, {(0, 1): 0.1, (1, 2): 0.1, (0, 2): 0.5}, match="coupling")
    assert "(0, 2)" in msg and "not an edge" in msg
    refused_fast(ss.ising, g, 0.1, field={0: 0.1, 1: 0.1, 2: 0.1, 7: 1.0}, match="not a node")
    refused_fast(ss.potts, g, 3, {(0, 1): 0.1, (1, 2): 0.1, (2, 5): 0.1}, match="coupling")
    # either orientation and frozensets still name the edges; the model is the one given by a scalar
    a = ss.ising(g, {(1, 0): 0.25, frozenset((1, 2)): 0.25})
    b = ss.ising(g, 0.25)
    assert np.allclose(a.joint(), b.joint())


@pytest.mark.parametrize("call,name", [
    (lambda: ss.independent(3, [True, False]), "marginal"),
    (lambda: ss.from_joint(np.array([[True, False], [False, False]])), "joint"),
    (lambda: ss.from_joint([[True, 0], [0, 0]]), "joint"),
    (lambda: ss.markov_chain(3, [True, False], [[0.9, 0.1], [0.1, 0.9]]), "initial"),
    (lambda: ss.hidden_markov_model(3, [0.5, 0.5], [[0.9, 0.1], [0.1, 0.9]], [[True, False], [False, True]]),
     "emission"),
    (lambda: ss.product_mixture(2, [True, False], [[1.0, 0.0], [0.0, 1.0]]), "weights"),
    (lambda: ss.beta_bernoulli(3, True, 1), "a"),
])
def test_bools_are_not_probabilities(call, name):
    msg = refused_fast(call, match=name)
    assert "True" in msg or "boolean" in msg


def test_bools_refused_but_integers_accepted():
    # 1 and 0 written as numbers still make the same (deterministic) model
    m = ss.independent(3, [1, 0])
    assert np.allclose(m.joint()[0, 0, 0], 1.0)


def test_dps_with_float_precision_refused():
    msg = refused_fast(ss.information_profile, ss.copy_model(3), dps=50, match="dps")
    assert "mpmath" in msg
    refused_fast(ss.make_arithmetic, "float", dps=30, match="dps")
    # with mpmath it sets the digits, as before
    p = ss.information_profile(ss.copy_model(3), precision="mpmath", dps=30)
    assert p.dps == 30


# -- refused wrongly before: sympy integers as sizes ----------------------------------------------------

def test_schedule_of_sympy_integers_accepted():
    s = ss.Schedule([sp.Integer(2), sp.Integer(1), 3])
    assert s.sizes == (2, 1, 3) and all(type(k) is int for k in s.sizes)
    assert s == ss.Schedule([2, 1, 3])
    # the same expected KL as with Python ints (the identity, written out here)
    h = [0.9, 0.6, 0.5, 0.4, 0.2, 0.1]
    ekl = float(ss.expected_kl(h, s))
    starts, total = [0, 2, 3], 0.0
    for a, k in zip(starts, s.sizes):
        total += k * h[a] - sum(h[a:a + k])
    assert abs(ekl - total) < 1e-12
    refused_fast(ss.Schedule, [sp.Rational(3, 2), 1], match="not an integer")
    refused_fast(ss.Schedule, [sp.Symbol("k"), 1], match="not an integer")


# -- statements and fits outside their range ------------------------------------------------------------

def test_riemann_limit_of_a_negative_profile_refused():
    msg = refused_fast(ss.riemann_limit, "-u", match="phi must be non-negative")
    assert "phi(1) = -1" in msg
    refused_fast(ss.riemann_limit, "u", match="phi must be non-increasing")
    assert ss.riemann_limit("1 - u").delta == 1


def test_zhao_cai_rate_needs_K_below_N():
    refused_fast(ss.zhao_cai_rate, PROF, 3, match=r"K = 3 .*K < N")
    refused_fast(ss.zhao_cai_rate, PROF, 4, match=r"K = 4")
    r = ss.zhao_cai_rate(PROF, 2)
    tc = sum(PROF[0] - x for x in PROF)  # TC = sum_j (h_0 - h_j)
    assert abs(r.rate - tc / 2) < 1e-12
    # compare_bounds at K = N simply has no Zhao & Cai row
    table = ss.compare_bounds(PROF, [1, 1, 1])
    assert not any("Zhao" in row.name for row in table.rows)


def test_fit_limit_profile_needs_two_values():
    refused_fast(ss.fit_limit_profile, [0.5], match=r"fit_limit_profile: h has N = 1")
    assert abs(float(ss.fit_limit_profile([0.5, 0.25]).delta) - 0.25) < 1e-12


# -- cost checks: enumeration of a program's paths ------------------------------------------------------

def _flip_until_heads():
    n = 0
    while ss.flip():  # the enumeration tries False (tails... here: stop) first, so paths grow one by one
        n += 1
    return [min(n, 3)]


def _flip_until_tails():
    n = 0
    while not ss.flip():
        n += 1
    return [min(n, 3)]


@pytest.mark.parametrize("fn", [_flip_until_heads, _flip_until_tails])
def test_program_with_unbounded_paths_refused(fn):
    msg = refused_fast(ss.program, fn, match="random choices", error=ModelTooLargeError)
    assert "bound" in msg and "loop" in msg


def test_program_work_budget():
    def alternating():  # unbounded only along True, False, True, ...: found by the work budget
        n = 0
        while ss.flip() and not ss.flip():
            n += 1
        return [min(n, 1)]
    refused_fast(ss.program, alternating, max_work=20_000, match="max_work", error=ModelTooLargeError)


def test_bounded_geometric_program_exact():
    def capped():  # at most 6 flips: P(n) = 2^-(n+1) for n < 6, 2^-6 for n = 6
        n = 0
        while n < 6 and ss.flip():
            n += 1
        return [n]
    m = ss.program(capped)
    p = m.joint("symbolic")
    assert [p[n] for n in range(7)] == [sp.Rational(1, 2 ** (n + 1)) for n in range(6)] + [sp.Rational(1, 64)]


# -- cost checks: estimates from data -------------------------------------------------------------------

ROWS = np.random.default_rng(0).integers(0, 2, (50, 4))


def test_bootstrap_huge_refused_before_allocating():
    msg = refused_fast(ss.estimate_profile, ROWS, bootstrap=10 ** 9, match="bootstrap", error=ModelTooLargeError)
    assert "estimated cost" in msg and "use bootstrap <=" in msg
    refused_fast(ss.estimate_profile, ROWS, "markov", bootstrap=10 ** 9, match="bootstrap", error=ModelTooLargeError)


def test_cli_bootstrap_huge_refused(tmp_path, capsys):
    f = tmp_path / "rows.npy"
    np.save(f, ROWS)
    start = time.process_time()
    code = main(["profile", f"data:{f}", "--bootstrap", str(10 ** 9)])
    _, err = capsys.readouterr()
    assert time.process_time() - start < SECONDS
    assert code == 2 and "bootstrap" in err, err


def test_plugin_on_2000_columns_refused_with_the_estimate():
    wide = np.random.default_rng(1).integers(0, 2, (50, 2000))
    msg = refused_fast(ss.estimate_profile, wide, "plugin", match="N = 2000", error=ModelTooLargeError)
    assert "subsets_per_size" in msg and "max_cost" in msg


@pytest.mark.parametrize("kwargs,name", [(dict(bootstrap=0), "bootstrap"), (dict(bootstrap=1), "bootstrap"),
                                         (dict(bootstrap=2.5), "bootstrap")])
def test_profile_without_errors_refused(kwargs, name):
    refused_fast(ss.estimate_profile, ROWS, match=name, **kwargs)


def test_profile_from_one_sample_refused():
    refused_fast(ss.estimate_profile, np.array([[0, 1, 1]]), match="samples: 1 row")


def test_small_estimates_unchanged_by_the_cost_check():
    # the plug-in h_j of all subsets, computed by hand from the empirical subset entropies
    prof = ss.estimate_profile(ROWS, "plugin", seed=0, bootstrap=4)
    from itertools import combinations

    def H(cols):
        _, counts = np.unique(ROWS[:, list(cols)], axis=0, return_counts=True)
        p = counts / counts.sum()
        return float(-(p * np.log(p)).sum())
    e = [0.0] + [np.mean([H(c) for c in combinations(range(4), j)]) for j in range(1, 5)]
    assert np.allclose(prof.h, np.diff(e), atol=1e-12)


# -- growth quantities at large N: log space, checked against closed forms and quadrature ---------------

def test_unmasking_growth_at_N_1e5_linear_profile():
    import mpmath
    N = 10 ** 5
    h = [1 - 0.5 * j / N for j in range(N)]  # d_j = 1/(2N): h'(t) = N(N-1)/(2N) for every t
    start = time.process_time()
    g = ss.unmasking_growth(h)
    assert time.process_time() - start < 10 * SECONDS
    c = mpmath.mpf(N - 1) / 2
    p, q = mpmath.mpf(1) / N, 1 - mpmath.mpf(1) / N
    coarse = 2 * mpmath.log(N - 1) * c * ((q ** 2 / 2 - q ** 3 / 3) - (p ** 2 / 2 - p ** 3 / 3))
    assert g.coarse == pytest.approx(float(coarse), rel=1e-12)
    assert g.fine == pytest.approx(float(c * (q - p) ** 2), rel=1e-10)
    assert g.fine_full == pytest.approx(float(c), rel=1e-10)
    assert g.tc == pytest.approx(float(c / 2), rel=1e-12) and g.dtc == pytest.approx(float(c / 2), rel=1e-12)
    assert g.h01 == pytest.approx(float(c / 6), rel=1e-12)  # H(0, 1) = c * int t(1-t) = c/6
    eff = c * mpmath.quad(lambda x: x * min(1, -mpmath.log(x)), [0, 1 / mpmath.e, 1])
    assert g.effective_tc == pytest.approx(float(eff), rel=1e-9)
    assert g.rate(0.3) == pytest.approx(float(c) * 1.0, rel=1e-12)
    assert g.gain(0.3) == pytest.approx(N * 0.5 * 0.3 * (N - 1) / N, rel=1e-12)  # N E[h_0 - h_J], J ~ Bin(N-1, t)


def test_unmasking_growth_at_large_N_curved_profile():
    from scipy.integrate import quad
    from scipy.stats import binom
    N = 20000
    j = np.arange(N)
    h = 0.2 + 0.5 / (1 + 3 * j / N)  # a curved, decreasing profile
    g = ss.unmasking_growth(list(h))
    d = h[:-1] - h[1:]

    def rate(t):  # h'(t) with scipy's full binomial pmf (no window, no log-space sum of ours)
        return N * (N - 1) * float(np.dot(binom.pmf(np.arange(N - 1), N - 2, t), d))
    for p, q in [(1 / N, 1 - 1 / N), (0.2, 0.7)]:
        ref = quad(lambda t: t * (1 - t) * rate(t), p, q, limit=200, epsrel=1e-12, points=[0.25, 0.5, 0.75])[0]
        assert g.mass(p, q) == pytest.approx(ref, rel=1e-8)
    tse = float(np.sum(((N - 1) / 2 - j) * h))
    assert g.h01 == pytest.approx(2 * tse / (N + 1), rel=1e-12)


def test_unmasking_growth_small_N_unchanged():
    # below the log-space threshold the exact (Fraction) and float routes agree as before
    from fractions import Fraction
    h = [Fraction(9, 10), Fraction(7, 10), Fraction(1, 2), Fraction(1, 5), Fraction(1, 10)]
    ge, gf = ss.unmasking_growth(h), ss.unmasking_growth([float(x) for x in h])
    assert float(ge.mass(Fraction(1, 5), Fraction(4, 5))) == pytest.approx(gf.mass(0.2, 0.8), rel=1e-14)
    start = time.process_time()
    with pytest.raises(ModelTooLargeError, match="float"):  # an exact profile too long: refused with the way out
        ss.unmasking_growth([Fraction(1, 1 + k) for k in range(3000)])
    assert time.process_time() - start < SECONDS


# -- Monte Carlo options: time_budget and samples checked on every route (the engine's shared checks) --

def _mc_routes():
    import networkx as nx
    m = ss.ising(nx.grid_2d_graph(3, 3), 0.3)
    hmm = ss.hidden_markov_model(6, [0.5, 0.5], [[0.9, 0.1], [0.2, 0.8]], [[0.8, 0.2], [0.3, 0.7]])
    return {
        "information_profile (montecarlo)": lambda **k: ss.information_profile(m, method="montecarlo", stderr=0.05,
                                                                               seed=0, **k),
        "information_profile (gibbs)": lambda **k: ss.information_profile(m, method="gibbs", stderr=0.05, seed=0,
                                                                          **k),
        "policy_kl (montecarlo)": lambda **k: ss.policy_kl(hmm, "confidence", sizes=[2, 2, 2], method="montecarlo",
                                                           seed=0, **k),
    }


@pytest.mark.parametrize("arg,bad", [("time_budget", float("nan")), ("time_budget", -1), ("time_budget", True),
                                     ("samples", 2.7), ("samples", "100"), ("samples", True)])
def test_monte_carlo_options_refused_on_every_route(arg, bad):
    for name, call in _mc_routes().items():
        msg = refused_fast(call, match=arg, **{arg: bad})
        assert "got" in msg, (name, msg)


@pytest.mark.parametrize("bad", ["yes", 1, 0.0])
def test_gibbs_progress_takes_bools_only(bad):
    import networkx as nx
    from symsched.info import gibbs
    with pytest.raises(ValueError, match="progress"):
        gibbs.gibbs_profile(ss.ising(nx.path_graph(3), 0.3), seed=0, samples=8, burn_in=5, progress=bad)
