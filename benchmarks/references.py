"""Reference implementations the benchmarks time beside symsched, written from the definitions.

None of them imports symsched: each is the straightforward way a user would compute the same
quantity with numpy (or mpmath, numba, dit, pgmpy when installed), so the ratio in RESULTS.md says
what symsched's route gains over that.
"""

from __future__ import annotations

import itertools
import math

import numpy as np


# -- the subset lattice ------------------------------------------------------------------------------------------------

def lattice_reference(joint: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """H(X_T) of every subset (bitmask order) from the extended table, vectorised numpy, one thread.

    Every axis gets its sum appended (np.concatenate), so the extended table of prod(c_i + 1) entries
    holds every subset marginal.  The leading axes are enumerated (a value or summed out) so that each
    piece over the trailing axes has at most `block` entries (x log x and the sums stay in cache).
    """
    joint = np.asarray(joint, dtype=float)
    n, cards = joint.ndim, joint.shape
    trail, size = 0, 1
    while trail < n and (trail == 0 or size * (cards[n - 1 - trail] + 1) <= block):
        size *= cards[n - 1 - trail] + 1
        trail += 1
    lead = n - trail
    out = np.zeros(2 ** n)
    masks_t = None
    for pattern in itertools.product(*[list(range(c)) + [None] for c in cards[:lead]]):
        idx = tuple(slice(None) if v is None else v for v in pattern)
        piece = joint[idx]
        summed = tuple(i for i, v in enumerate(v for v in pattern if v is None))
        if summed:
            piece = piece.sum(axis=summed)
        ext = piece
        for ax in range(trail):
            ext = np.concatenate([ext, ext.sum(axis=ax, keepdims=True)], axis=ax)
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(ext > 0, ext * np.log(np.where(ext > 0, ext, 1.0)), 0.0)
        # split every axis into (values summed, the sum slot): 2^trail subset sums
        for ax in range(trail):
            c = cards[lead + ax]
            terms = np.concatenate([terms.take(range(c), axis=ax).sum(axis=ax, keepdims=True),
                                    terms.take([c], axis=ax)], axis=ax)
        if masks_t is None:
            pos = np.arange(2 ** trail)
            masks_t = np.zeros(2 ** trail, dtype=np.int64)
            for ax in range(trail):
                masks_t |= (1 - ((pos >> (trail - 1 - ax)) & 1)) << ax
        lead_mask = sum(1 << i for i, v in enumerate(pattern) if v is not None)
        out[lead_mask + (masks_t << lead)] -= terms.ravel()
    return out


def subset_sums(H: np.ndarray, n: int) -> np.ndarray:
    pop = np.array([bin(m).count("1") for m in range(2 ** n)])
    return np.array([H[pop == j].sum() for j in range(n + 1)])


def profile_from_lattice(joint: np.ndarray) -> list[float]:
    """h_0..h_{N-1} from the lattice reference."""
    n = np.ndim(joint)
    S = subset_sums(lattice_reference(joint), n)
    e = [S[j] / math.comb(n, j) for j in range(n + 1)]
    return [e[j + 1] - e[j] for j in range(n)]


# -- Markov chains -----------------------------------------------------------------------------------------------------

def chain_profile_quadratic(init, T, N):
    """h of a homogeneous chain by the O(N^2) sum formula with gammaln binomial weights (float64), as e differences.

    e_j = (sum_a H(X_a) C(N-1-a, j-1) + sum_d D_d C(N-1-d, j-2)) / C(N, j), D_d = sum_a H(X_{a+d} | X_a).
    """
    from scipy.special import gammaln

    init, T = np.asarray(init, float), np.asarray(T, float)

    def ent_rows(M):
        with np.errstate(divide="ignore", invalid="ignore"):
            return -np.where(M > 0, M * np.log(np.where(M > 0, M, 1.0)), 0.0).sum(axis=-1)

    marg = [init]
    for _ in range(N - 1):
        marg.append(marg[-1] @ T)
    M = np.array(marg)
    H = ent_rows(M)
    cum = np.cumsum(M, axis=0)
    D = np.zeros(N)
    P = np.eye(len(init))
    for d in range(1, N):
        P = P @ T
        D[d] = cum[N - 1 - d] @ ent_rows(P)

    def log_binom(n, k):
        with np.errstate(invalid="ignore"):
            out = gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
        return np.where((k >= 0) & (k <= n), out, -np.inf)

    a = np.arange(N, dtype=float)
    d = np.arange(1, N, dtype=float)
    e = [0.0]
    for j in range(1, N + 1):
        lt = log_binom(float(N), float(j))
        e.append(float(np.exp(log_binom(N - 1 - a, np.full_like(a, j - 1)) - lt) @ H +
                       np.exp(log_binom(N - 1 - d, np.full_like(d, j - 2)) - lt) @ D[1:]))
    return [e[j + 1] - e[j] for j in range(N)]


# -- optimal schedules -----------------------------------------------------------------------------------------

def _cht_layer(prev, h, P, k, cur, hull):
    N = h.shape[0]
    size = 0
    ptr = 0
    for b in range(k, N + 1):
        a = b - 1
        if prev[a] < np.inf:
            m, c = h[a], prev[a] - a * h[a] + P[a]
            while (size > 0 and h[hull[size - 1]] == m
                   and prev[hull[size - 1]] - hull[size - 1] * m + P[hull[size - 1]] > c):
                size -= 1
            if size == 0 or h[hull[size - 1]] != m:
                while size >= 2:
                    l1, l2 = hull[size - 2], hull[size - 1]
                    c1 = prev[l1] - l1 * h[l1] + P[l1]
                    c2 = prev[l2] - l2 * h[l2] + P[l2]
                    if (c - c1) * (h[l1] - h[l2]) <= (c2 - c1) * (h[l1] - m):
                        size -= 1
                    else:
                        break
                hull[size] = a
                size += 1
        ptr = min(ptr, size - 1)
        while ptr + 1 < size and (prev[hull[ptr + 1]] + (b - hull[ptr + 1]) * h[hull[ptr + 1]] + P[hull[ptr + 1]]
                                  <= prev[hull[ptr]] + (b - hull[ptr]) * h[hull[ptr]] + P[hull[ptr]]):
            ptr += 1
        t = hull[ptr]
        cur[b] = prev[t] + (b - t) * h[t] - (P[b] - P[t])


def _dc_layer_numpy(prev, h, P, k, cur, hull):
    """Divide and conquer over b (monotone argmin), one numpy pass per recursion level."""
    N = h.shape[0]
    todo = [(k, N, k - 1, N - 1)]
    while todo:
        nxt = []
        for blo, bhi, olo, ohi in todo:
            mid = (blo + bhi) // 2
            a = np.arange(olo, min(ohi, mid - 1) + 1)
            v = prev[a] + (mid - a) * h[a] - (P[mid] - P[a])
            i = int(np.argmin(v))
            cur[mid], am = v[i], int(a[i])
            if blo < mid:
                nxt.append((blo, mid - 1, olo, am))
            if mid < bhi:
                nxt.append((mid + 1, bhi, am, ohi))
        todo = nxt


try:
    import numba

    _cht_layer_compiled = numba.njit(cache=True)(_cht_layer)
    DP_REFERENCE = "numba-compiled convex-hull DP"
except ImportError:
    _cht_layer_compiled = None
    DP_REFERENCE = "numpy divide-and-conquer DP"


def dp_reference_values(h, Kmax):
    """Plain O(K N) DP values of the best K-step schedules, K = 1..Kmax (no backtracking): compiled CHT, else
    numpy D&C."""
    h = np.asarray(h, float)
    N = len(h)
    P = np.concatenate([[0.0], np.cumsum(h)])
    prev = np.full(N + 1, np.inf)
    prev[1:] = np.arange(1, N + 1) * h[0] - P[1:]
    cur = np.full(N + 1, np.inf)
    hull = np.empty(N + 1, dtype=np.int64)
    layer = _cht_layer_compiled or _dc_layer_numpy
    out = [prev[N]]
    for k in range(2, Kmax + 1):
        cur[:] = np.inf
        layer(prev, h, P, k, cur, hull)
        prev, cur = cur, prev
        out.append(prev[N])
    return out


def dp_reference(h, K):
    """The DP value of the best K-step schedule."""
    return dp_reference_values(h, K)[-1]


def dp_reference_frontier(h):
    """DP values of every K = 1..N."""
    return dp_reference_values(h, len(h))


# -- peers: dit and pgmpy --------------------------------------------------------------------------------------

def dit_profile(joint):
    """h by dit's per-subset entropy loop (dit.shannon.entropy of every subset), or None without dit."""
    try:
        import dit
    except ImportError:
        return None
    joint = np.asarray(joint, float)
    n = joint.ndim
    outcomes, pmf = [], []
    for idx in itertools.product(*[range(c) for c in joint.shape]):
        if joint[idx] > 0:
            outcomes.append(tuple(idx))
            pmf.append(joint[idx])
    d = dit.Distribution(outcomes, pmf)
    d.set_base("e")
    e = [0.0]
    for j in range(1, n + 1):
        e.append(float(np.mean([dit.shannon.entropy(d, list(T)) for T in itertools.combinations(range(n), j)])))
    return [e[j + 1] - e[j] for j in range(n)]


def pgmpy_profile(model):
    """h of a pgmpy network by one VariableElimination joint query per subset, or None without pgmpy."""
    try:
        from pgmpy.inference import VariableElimination
    except ImportError:
        return None
    infer = VariableElimination(model)
    names = sorted(model.nodes())
    n = len(names)
    e = [0.0]
    for j in range(1, n + 1):
        hs = []
        for T in itertools.combinations(names, j):
            p = np.asarray(infer.query(list(T), joint=True, show_progress=False).values, float).ravel()
            p = p[p > 0]
            hs.append(float(-(p * np.log(p)).sum()))
        e.append(float(np.mean(hs)))
    return [e[j + 1] - e[j] for j in range(n)]


# -- hidden Markov models ---------------------------------------------------------------------------------------------

def hmm_log_marginal_loop(initial, trans, emis, subset, x):
    """log p(x_A) of every sample (row of x), one forward pass per sample (the unbatched way).

    ``trans`` and ``emis`` are one (homogeneous) matrix each; positions outside ``subset`` are summed
    out (their emission factor is 1); the filter is renormalised at each observed position.
    """
    initial, trans, emis = (np.asarray(a, dtype=float) for a in (initial, trans, emis))
    observed = set(subset)
    out = np.empty(len(x))
    for b, row in enumerate(x):
        alpha, logp = initial.copy(), 0.0
        for t in range(max(subset) + 1):
            if t > 0:
                alpha = alpha @ trans
            if t in observed:
                alpha = alpha * emis[:, row[t]]
                s = alpha.sum()
                logp += math.log(s)
                alpha = alpha / s
        out[b] = logp
    return out


def hmm_conditionals_by_marginals(initial, trans, emis, T, x):
    """log p(x_i | x_T) for every i outside T as log p(x_{T+i}) - log p(x_T): one forward pass over the
    batch per i (batched over samples, O(N) passes of length O(N)), the route before forward-backward."""
    initial, trans, emis = (np.asarray(a, dtype=float) for a in (initial, trans, emis))
    B, N = x.shape

    def log_marginal(A):
        observed, alpha, logp = set(A), np.tile(initial, (B, 1)), np.zeros(B)
        for t in range(max(A) + 1):
            if t > 0:
                alpha = alpha @ trans
            if t in observed:
                alpha = alpha * emis[:, x[:, t]].T
                s = alpha.sum(axis=1)
                logp += np.log(s)
                alpha = alpha / s[:, None]
        return logp

    base = log_marginal(T) if T else np.zeros(B)
    return np.stack([log_marginal(sorted(set(T) | {i})) - base for i in range(N) if i not in set(T)], axis=1)


# -- Ising grids by transfer matrices (Markov random fields beyond the joint table) -----------------------------------

def ising_grid_log_marginal(rows: int, cols: int, J: float, field: float, fixed: dict) -> float:
    """``log p(x_A)`` of the Ising model on a ``rows x cols`` grid (spins s = 2x - 1, variable ``k`` at
    ``divmod(k, cols)``), ``fixed`` a dict variable -> state: the column-to-column transfer matrix over the
    ``2^rows`` states of a column, states disagreeing with ``fixed`` masked out, against the unmasked
    sum (log Z).  Rescaled at every column, so nothing overflows."""
    states = np.array(list(itertools.product((-1, 1), repeat=rows)))            # (S, rows)
    inner = J * (states[:, :-1] * states[:, 1:]).sum(axis=1) + field * states.sum(axis=1)
    between = np.exp(J * states @ states.T)                                    # horizontal bonds
    def log_sum(mask_of):
        log_total, v = 0.0, None
        for c in range(cols):
            w = np.exp(inner) * mask_of(c)
            v = w if v is None else (v @ between) * w
            top = v.max()
            log_total += math.log(top)
            v = v / top
        return log_total + math.log(v.sum())

    def mask(c):
        m = np.ones(len(states))
        for r in range(rows):
            k = r * cols + c
            if k in fixed:
                m *= states[:, r] == 2 * fixed[k] - 1
        return m

    return log_sum(mask) - log_sum(lambda c: np.ones(len(states)))


# -- careful numpy: every subset entropy, depth first --------------------------------------------------------------

def subset_entropies_dfs(joint: np.ndarray) -> np.ndarray:
    """H(X_T) of every subset (bitmask order), depth first: each variable is kept or summed out of its parent's
    marginal (the trailing axis first, a contiguous reduction), scipy's entr for x log x; one thread.
    The memory is O(N) tables on the stack; the work ~3^N like the extended table, without its copies."""
    from scipy.special import entr

    joint = np.asarray(joint, dtype=float)
    n = joint.ndim
    out = np.zeros(2 ** n)

    def rec(t, k, mask):  # variables k+1.. decided; t spans the undecided 0..k and the kept ones after
        if k < 0:
            out[mask] = float(entr(t).sum())
            return
        rec(t, k - 1, mask | (1 << k))
        rec(t.sum(axis=k), k - 1, mask)

    rec(joint, n - 1, 0)
    return out


def profile_from_dfs(joint: np.ndarray) -> list[float]:
    """h_0..h_{N-1} from :func:`subset_entropies_dfs`."""
    n = np.ndim(joint)
    S = subset_sums(subset_entropies_dfs(joint), n)
    e = [S[j] / math.comb(n, j) for j in range(n + 1)]
    return [e[j + 1] - e[j] for j in range(n)]


def measures_from_table(joint: np.ndarray) -> tuple[float, float, float]:
    """TC, DTC and O-information of a joint table from N + 2 entropies (H, every H(X_i), every H(X_{-i}))."""
    from scipy.special import entr

    p = np.asarray(joint, dtype=float)
    n = p.ndim
    H = float(entr(p).sum())
    singles = sum(float(entr(p.sum(axis=tuple(k for k in range(n) if k != i))).sum()) for i in range(n))
    rest = sum(float(entr(p.sum(axis=i)).sum()) for i in range(n))
    tc, dtc = singles - H, rest - (n - 1) * H
    return tc, dtc, tc - dtc


def dit_measures(joint: np.ndarray):
    """TC, DTC and O-information by dit (its own multivariate measures), or None without dit."""
    try:
        import dit
    except ImportError:
        return None
    joint = np.asarray(joint, float)
    outcomes, pmf = [], []
    for idx in itertools.product(*[range(c) for c in joint.shape]):
        if joint[idx] > 0:
            outcomes.append(tuple(idx))
            pmf.append(joint[idx])
    d = dit.Distribution(outcomes, pmf)
    d.set_base("e")
    m = dit.multivariate
    return (float(m.total_correlation(d)), float(m.dual_total_correlation(d)), float(m.o_information(d)))


# -- networks: the same pieces (H, h_0, h_{N-1}) by pyAgrum and by pgmpy ---------------------------------------------

def _plogp(p) -> float:
    p = np.asarray(p, dtype=float).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def network_structure(cpds: dict, cards: dict) -> tuple[dict, dict]:
    """Parents and Markov blankets of a network given as ``{v: (parents, table)}``."""
    parents = {v: tuple(pa) for v, (pa, _) in cpds.items()}
    blanket = {v: set(pa) for v, pa in parents.items()}
    for v, pa in parents.items():
        for p in pa:  # v is p's child, v's other parents are p's co-parents
            blanket[p].add(v)
            blanket[p] |= set(pa) - {p}
    for v in blanket:
        blanket[v].discard(v)
    return parents, {v: sorted(b) for v, b in blanket.items()}


def to_pyagrum(cpds: dict, states: dict):
    """A pyAgrum BayesNet from ``{v: (parents, table with axes (parents..., v))}`` and ``{v: labels}``."""
    import pyagrum as gum

    g = gum.BayesNet("bench")
    for v in cpds:
        g.add(gum.LabelizedVariable(str(v), str(v), [str(s) for s in states[v]]))
    for v, (pa, _) in cpds.items():
        for p in pa:
            g.addArc(str(p), str(v))
    for v, (pa, table) in cpds.items():
        cpt = g.cpt(str(v))
        axes = [str(u) for u in pa] + [str(v)]
        target = list(reversed(cpt.names))  # toarray()'s axis order, which fillWith reads back
        cpt.fillWith(np.transpose(np.asarray(table, float), [axes.index(u) for u in target]).ravel().tolist())
    return g


def pyagrum_pieces(g, parents: dict, blankets: dict, cards: dict, budget: float):
    """(H, h_0, sum of H(X_i | MB_i) over blankets within ``budget`` entries) by pyAgrum's LazyPropagation:
    joint targets for every family's parents and every blanket (with its variable), one inference."""
    import pyagrum as gum

    ie = gum.LazyPropagation(g)
    ie.addAllTargets()
    fams = {v: pa for v, pa in parents.items() if len(pa) > 1}
    small = {v: b for v, b in blankets.items() if b and math.prod(cards[u] for u in b) * cards[v] <= budget}
    for pa in fams.values():
        ie.addJointTarget({str(u) for u in pa})
    for v, b in small.items():
        ie.addJointTarget({str(u) for u in b} | {str(v)})
        ie.addJointTarget({str(u) for u in b})
    ie.makeInference()
    H = h0 = last = 0.0
    for v, pa in parents.items():
        h0 += _plogp(ie.posterior(str(v)).toarray())
        cpt = g.cpt(str(v))
        if not pa:
            H += _plogp(cpt.toarray())
            continue
        ppa = ie.jointPosterior({str(u) for u in pa}) if len(pa) > 1 else ie.posterior(str(pa[0]))
        H += _plogp((cpt * ppa).toarray()) - _plogp(ppa.toarray())
    for v, b in small.items():
        last += _plogp(ie.jointPosterior({str(u) for u in b} | {str(v)}).toarray()) - _plogp(
            ie.jointPosterior({str(u) for u in b}).toarray())
    return H, h0 / len(parents), last


def pgmpy_pieces(model, cards: dict, budget: float):
    """The same pieces by pgmpy's VariableElimination, one query per family, variable and blanket."""
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(model)
    H = h0 = last = 0.0
    for v in model.nodes():
        cpd = model.get_cpds(v)
        pa = list(cpd.variables[1:])
        rows = np.asarray(cpd.get_values(), float).T  # (prod parents, card v), first parent slowest
        ent = np.array([_plogp(r) for r in rows])
        h0 += _plogp(ve.query([v], show_progress=False).values)
        if pa:
            q = ve.query(pa, joint=True, show_progress=False)
            q = q.values.transpose([list(q.variables).index(u) for u in pa]).ravel()
            H += float(q @ ent)
        else:
            H += float(ent[0])
        mb = list(model.get_markov_blanket(v))
        if mb and math.prod(cards[u] for u in mb) * cards[v] <= budget:
            q = ve.query([v] + mb, joint=True, show_progress=False).values
            last += _plogp(q) - _plogp(q.sum(axis=0))
    return H, h0 / len(cards), last
