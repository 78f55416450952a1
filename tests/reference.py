"""Independent brute-force references shared by the whole test suite.

Everything here works on an explicit joint table with plain numpy and the definitions (subset
entropies, enumeration of orders and states), sharing no code with symsched, so that the numbers the
report, the CLI and the figures print can be checked against an independent computation.
"""

import itertools
import math
from fractions import Fraction

import numpy as np


def entropy(p):
    p = np.asarray(p, float).ravel()
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def marginal(joint, keep):
    keep = sorted(keep)
    return joint.sum(axis=tuple(i for i in range(joint.ndim) if i not in keep))


def brute_profile(joint):
    """(h, e): e_j the mean entropy of the j-subsets, h_j = e_{j+1} - e_j."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    e = [0.0]
    for j in range(1, N + 1):
        e.append(float(np.mean([entropy(marginal(joint, T)) for T in itertools.combinations(range(N), j)])))
    return [e[j + 1] - e[j] for j in range(N)], e


def brute_measures(joint):
    """H, TC, DTC from their definitions (not from a profile)."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    H = entropy(joint)
    tc = sum(entropy(marginal(joint, [i])) for i in range(N)) - H
    dtc = H - sum(H - entropy(marginal(joint, [k for k in range(N) if k != i])) for i in range(N))
    return H, tc, dtc


def identity_kl(h, sizes):
    """sum_t k_t h_{s_{t-1}} - sum_j h_j, in whatever arithmetic h is given (Fractions stay exact)."""
    s, total = 0, 0
    for k in sizes:
        total += k * h[s]
        s += k
    return total - sum(h)


def compositions(N, K):
    for cuts in itertools.combinations(range(1, N), K - 1):
        bps = (0,) + cuts + (N,)
        yield tuple(b - a for a, b in zip(bps, bps[1:]))


def brute_optimal(h, K):
    """Minimum of the identity over every composition of N into K positive parts."""
    return min(identity_kl(h, c) for c in compositions(len(h), K))


def _order_law(joint, blocks):
    """q_sigma as a full table: product over blocks of independent exact conditionals."""
    q = np.zeros(joint.shape)
    for x in itertools.product(*[range(c) for c in joint.shape]):
        val, revealed = 1.0, []
        for block in blocks:
            base = marginal(joint, revealed)[tuple(x[i] for i in sorted(revealed))] if revealed else 1.0
            for i in block:
                keep = sorted(revealed + [i])
                num = marginal(joint, keep)[tuple(x[k] for k in keep)]
                val *= num / base if base > 0 else 0.0
            revealed = revealed + list(block)
        q[x] = val
    return q


def _blocks(order, sizes):
    out, s = [], 0
    for k in sizes:
        out.append(list(order[s:s + k]))
        s += k
    return out


def kl(p, q):
    p, q = np.asarray(p).ravel(), np.asarray(q).ravel()
    m = p > 0
    return float(np.sum(p[m] * np.log(p[m] / q[m])))


def brute_sampler(joint, sizes):
    """(E_sigma KL(p || q_sigma), KL(p || E_sigma q_sigma)) by enumerating every order."""
    joint = np.asarray(joint, float)
    orders = list(itertools.permutations(range(joint.ndim)))
    laws = [_order_law(joint, _blocks(o, sizes)) for o in orders]
    expected = float(np.mean([kl(joint, q) for q in laws]))
    mixture = kl(joint, np.mean(laws, axis=0))
    return expected, mixture


def demo_joint():
    """The CLI demo network (Cloudy, Sprinkler, Rain, WetGrass, Slippery), multiplied out by hand."""
    joint = np.zeros((2,) * 5)
    for idx, v in demo_joint_exact().items():
        joint[idx] = float(v)
    return joint


def demo_joint_exact():
    """The demo network's joint as ``{(c, s, r, w, sl): Fraction}``."""
    F = Fraction
    pc = [F(1, 2), F(1, 2)]
    ps = [[F(1, 2), F(1, 2)], [F(9, 10), F(1, 10)]]
    pr = [[F(4, 5), F(1, 5)], [F(1, 5), F(4, 5)]]
    pw = [[[1, 0], [F(1, 10), F(9, 10)]], [[F(1, 10), F(9, 10)], [F(1, 100), F(99, 100)]]]
    pl = [[F(19, 20), F(1, 20)], [F(3, 10), F(7, 10)]]
    exact = {}
    for c, s, r, w, sl in itertools.product(range(2), repeat=5):
        exact[(c, s, r, w, sl)] = pc[c] * ps[c][s] * pr[c][r] * F(pw[s][r][w]) * pl[w][sl]
    assert sum(exact.values()) == 1
    return exact


def random_joint(shape, seed):
    rng = np.random.default_rng(seed)
    p = rng.random(shape) ** 3
    return p / p.sum()


# -- adaptive samplers (issue 15): the sampler run by plain recursion on the joint table ------------------
def _cond(joint, revealed, i):
    """p(X_i = . | x_R) as a list, from marginals of the joint (uniform where p(x_R) = 0)."""
    keep = sorted(set(revealed) | {i})
    m = marginal(joint, keep)
    idx = [revealed[a] if a != i else slice(None) for a in keep]
    row = np.asarray(m[tuple(idx)], float)
    s = row.sum()
    return list(row / s) if s > 0 else [1.0 / joint.shape[i]] * joint.shape[i]


def _rank_key(score, pos):
    return (-round(float(score), 10), pos)


def _choose(rule, M, conds, k, tau, gamma):
    def ent(c):
        return -sum(v * math.log(v) for v in c if v > 0)
    if rule in ("confidence", "threshold"):
        score = {i: max(conds[i]) for i in M}
    elif rule == "margin":
        score = {i: (sorted(conds[i])[-1] - (sorted(conds[i])[-2] if len(conds[i]) > 1 else 0.0)) for i in M}
    else:
        score = {i: -ent(conds[i]) for i in M}
    order = sorted(M, key=lambda i: _rank_key(score[i], i))
    if rule == "threshold":
        return sorted(set([i for i in M if round(score[i], 10) >= round(tau, 10)] + [order[0]]))
    if rule == "entropy-bound":
        best = 1
        for j in range(1, len(order) + 1):
            hs = [-score[i] for i in order[:j]]
            if round(sum(hs) - max(hs), 10) <= round(gamma, 10):
                best = j
        return sorted(order[:best])
    return sorted(order[:k])


def brute_adaptive(joint, rule, sizes=None, tau=None, gamma=None):
    """(law q, {steps: probability}) of an adaptive sampler with exact conditionals, by recursion.

    rule: random / confidence / margin / entropy / threshold / entropy-bound / llada (docs/concepts.md §8);
    chosen tokens drawn independently from their conditionals; llada draws a candidate everywhere and keeps
    the k whose own candidate is most probable; ties to the smaller position.
    """
    joint = np.asarray(joint, float)
    N = joint.ndim
    q = np.zeros(joint.shape)
    steps = {}

    def reveal(revealed, S, conds, mass, t):
        for vals in itertools.product(*[range(joint.shape[i]) for i in S]):
            w = mass
            for i, v in zip(S, vals):
                w *= conds[i][v]
            if w > 0:
                rec({**revealed, **dict(zip(S, vals))}, w, t + 1)

    def rec(revealed, mass, t):
        if len(revealed) == N and (sizes is None or t == len(sizes)):
            q[tuple(revealed[i] for i in range(N))] += mass
            steps[t] = steps.get(t, 0.0) + mass
            return
        M = [i for i in range(N) if i not in revealed]
        conds = {i: _cond(joint, revealed, i) for i in M}
        k = sizes[t] if sizes is not None else None
        if rule == "random":
            subsets = list(itertools.combinations(M, k))
            for S in subsets:
                reveal(revealed, list(S), conds, mass / len(subsets), t)
        elif rule == "llada":
            for cand in itertools.product(*[range(joint.shape[i]) for i in M]):
                w = mass
                for i, v in zip(M, cand):
                    w *= conds[i][v]
                if w == 0:
                    continue
                own = dict(zip(M, cand))
                S = sorted(sorted(M, key=lambda i: _rank_key(conds[i][own[i]], i))[:k])
                rec({**revealed, **{i: own[i] for i in S}}, w, t + 1)
        else:
            reveal(revealed, _choose(rule, M, conds, k, tau, gamma), conds, mass, t)

    rec({}, 1.0, 0)
    return q, steps


def wen_liang_lu(joint, rule, sizes=None, tau=None, gamma=None):
    """E_{x~p} sum_t TC(X_S | x_C) for a deterministic rule, from the joint table by recursion over x's prefixes."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    total = 0.0
    for x in itertools.product(*[range(c) for c in joint.shape]):
        px = joint[x]
        if px == 0:
            continue
        revealed, t = {}, 0
        while len(revealed) < N:
            M = [i for i in range(N) if i not in revealed]
            conds = {i: _cond(joint, revealed, i) for i in M}
            S = _choose(rule, M, conds, sizes[t] if sizes else None, tau, gamma)
            keep = sorted(revealed)
            pr = marginal(joint, keep)[tuple(revealed[a] for a in keep)] if keep else 1.0
            both = sorted(keep + S)
            block = marginal(joint, both)
            # H(X_S | x_R): entropy of the slice of p_{R u S} at x_R, normalised
            sl = np.asarray(block[tuple(revealed[a] if a in revealed else slice(None) for a in both)], float) / pr
            total += px * (sum(entropy(conds[i]) for i in S) - entropy(sl))
            revealed.update({i: x[i] for i in S})
            t += 1
    return total


# -- samplers as practitioners run them (issue #14): brute-force samplers on the joint table --------

def brute_blockwise(joint, block_length, sizes_per_block):
    """E_sigma KL(p || q_sigma) of semi-autoregressive blocks: every order inside every block, enumerated."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    blocks = [list(range(a, min(a + block_length, N))) for a in range(0, N, block_length)]
    per_block_orders = [list(itertools.permutations(b)) for b in blocks]
    kls = []
    for combo in itertools.product(*per_block_orders):
        steps = []
        for order, sizes in zip(combo, sizes_per_block):
            steps += [blk for blk in _blocks(list(order), sizes) if blk]
        kls.append(kl(joint, _order_law(joint, steps)))
    return float(np.mean(kls))


def brute_partition(joint, blocks):
    """KL(p || q) of the sampler revealing the fixed sets blocks[0], blocks[1], ... (independent draws within a set)."""
    return kl(joint, _order_law(np.asarray(joint, float), [list(b) for b in blocks if len(b)]))


def brute_bernoulli(joint, grid):
    """E KL of the Bernoulli sampler: every assignment of tokens to reveal steps, weighted by prod (u_k - u_{k-1}).

    A grid ending below 1 gets the clean-up step (the point 1 is appended)."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    u = [float(x) for x in grid]
    if u[-1] < 1:
        u.append(1.0)
    K = len(u) - 1
    total = 0.0
    for pattern in itertools.product(range(K), repeat=N):
        w = float(np.prod([u[k + 1] - u[k] for k in pattern]))
        steps = [[i for i in range(N) if pattern[i] == k] for k in range(K)]
        total += w * kl(joint, _order_law(joint, [s for s in steps if s]))
    return total


def noisy_repeated_bit_profile(d, eta):
    """h_j of X_i = B xor W_i (B a fair bit, W_i ~ Ber(eta) i.i.d.): exchangeable, from the number of ones.

    H(X_T) for |T| = m: the law of the count of ones is a two-component binomial mixture; every string with
    the same count has the same probability."""
    from scipy.special import gammaln
    from scipy.stats import binom

    def H(m):
        if m == 0:
            return 0.0
        c = np.arange(m + 1)
        pc = 0.5 * binom.pmf(c, m, eta) + 0.5 * binom.pmf(c, m, 1 - eta)     # law of the count
        logC = gammaln(m + 1) - gammaln(c + 1) - gammaln(m - c + 1)
        ok = pc > 0
        return float(-np.sum(pc[ok] * (np.log(pc[ok]) - logC[ok])))          # each string has prob pc / C(m, c)

    e = [H(m) for m in range(d + 1)]
    return [e[j + 1] - e[j] for j in range(d)]


# -- trust of models (issue #12): log-domain MRFs, exchangeable profiles in mpmath --------
import mpmath  # noqa: E402


def log_domain_joint(n_vars, log_factors, card=2):
    """Joint of p(x) ∝ exp(sum_f log_f(x_f)) by enumeration, normalised in the log domain (float64).

    ``log_factors``: list of (scope tuple, function of the scope's states -> log potential).
    """
    states = list(itertools.product(range(card), repeat=n_vars))
    logw = np.array([math.fsum(f(*(x[i] for i in scope)) for scope, f in log_factors) for x in states])
    logw -= logw.max()
    w = np.exp(logw)
    return (w / w.sum()).reshape((card,) * n_vars)


def ising_log_factors(edges, J):
    """Ising log-potentials J s_i s_j (s = 2x - 1) per edge, for :func:`log_domain_joint`."""
    return [((u, v), (lambda a, b: J * (2 * a - 1) * (2 * b - 1))) for u, v in edges]


def mp_ising_profile(n_vars, edges, J, dps):
    """h_0..h_{N-1} of a zero-field Ising model at ``dps`` digits: enumeration of the joint and of every subset."""
    with mpmath.workdps(dps + 10):
        J = mpmath.mpf(J)
        states = list(itertools.product(range(2), repeat=n_vars))
        w = [mpmath.exp(J * mpmath.fsum((2 * x[u] - 1) * (2 * x[v] - 1) for u, v in edges)) for x in states]
        Z = mpmath.fsum(w)
        p = dict(zip(states, [v / Z for v in w]))
        e = [mpmath.mpf(0)]
        for j in range(1, n_vars + 1):
            tot = []
            for T in itertools.combinations(range(n_vars), j):
                marg = {}
                for x, v in p.items():
                    key = tuple(x[i] for i in T)
                    marg[key] = marg.get(key, 0) + v
                tot.append(-mpmath.fsum(v * mpmath.log(v) for v in marg.values() if v > 0))
            e.append(mpmath.fsum(tot) / math.comb(n_vars, j))
        return [e[j + 1] - e[j] for j in range(n_vars)]


def mp_binary_exchangeable_e(j, log_seq_prob, dps=40):
    """e_j = H(X_1..X_j) = -sum_k C(j,k) p_k log p_k of a binary exchangeable law at ``dps`` digits;
    ``log_seq_prob(j, k)`` is the mpmath log-probability of one sequence of length j with k ones."""
    with mpmath.workdps(dps):
        terms = []
        for k in range(j + 1):
            lp = log_seq_prob(j, k)
            terms.append(-mpmath.binomial(j, k) * mpmath.exp(lp) * lp)
        return mpmath.fsum(terms)


def mp_beta_bernoulli_logp(a, b):
    """log of a^(k) b^(j-k) / (a+b)^(j) through mpmath's log-gamma (at the caller's working precision)."""
    def logp(j, k):
        A, B = mpmath.mpf(a), mpmath.mpf(b)
        return (mpmath.loggamma(A + k) - mpmath.loggamma(A) + mpmath.loggamma(B + j - k) - mpmath.loggamma(B)
                - mpmath.loggamma(A + B + j) + mpmath.loggamma(A + B))
    return logp


def mp_mixture_logp(weights, thetas):
    """log of sum_c w_c theta_c^k (1 - theta_c)^(j-k) (binary product mixture)."""
    def logp(j, k):
        return mpmath.log(mpmath.fsum(mpmath.mpf(w) * mpmath.mpf(t) ** k * (1 - mpmath.mpf(t)) ** (j - k)
                                      for w, t in zip(weights, thetas)))
    return logp


def mp_exchangeable_h(j, log_seq_prob, dps=40):
    """h_j = e_{j+1} - e_j at ``dps`` digits (a difference of entropies, unlike the package's direct route)."""
    with mpmath.workdps(dps):
        return mp_binary_exchangeable_e(j + 1, log_seq_prob, dps) - mp_binary_exchangeable_e(j, log_seq_prob, dps)

# -- estimates and schedule numerics (issue #12) ----------------------------------

def isotonic_nonincreasing_brute(y, w):
    """Weighted least-squares non-increasing fit by trying every split into contiguous runs.

    The solution is a vector of run means; the best feasible (non-increasing) one over all 2^(N-1)
    splits is the optimum. For small N only.
    """
    y, w = np.asarray(y, dtype=float), np.asarray(w, dtype=float)
    n = y.size
    best, best_cost = None, math.inf
    for cuts in itertools.product((0, 1), repeat=n - 1):
        bounds = [0] + [i + 1 for i, c in enumerate(cuts) if c] + [n]
        fit = np.empty(n)
        for a, b in zip(bounds, bounds[1:]):
            fit[a:b] = np.dot(w[a:b], y[a:b]) / w[a:b].sum()
        if np.all(np.diff(fit) <= 1e-15):
            cost = float(np.dot(w, (y - fit) ** 2))
            if cost < best_cost:
                best, best_cost = fit, cost
    return best


def accurate_optimal_values(h, Kmax):
    """Optimal expected KL for K = 1..Kmax by the plain O(K N^2) DP, with every block cost
    w(a, b) = sum_{j=a}^{b-1} (h_a - h_j) summed from its non-negative terms (no prefix-sum
    cancellation), so values keep their relative accuracy even when tiny."""
    h = np.asarray(h, dtype=float)
    N = h.size
    W = np.full((N + 1, N + 1), np.inf)
    for a in range(N):
        W[a, a + 1:] = np.cumsum(h[a] - h[a:])
    prev = W[0].copy()  # one step: w(0, b)
    out = [prev[N]]
    for _ in range(2, Kmax + 1):
        prev = np.min(prev[:, None] + W, axis=0)
        out.append(prev[N])
    return out

# -- continuum (T3): the exact discrete optimum by dynamic programming, in numpy ---------------

def dp_optimal_kl(h, K):
    """min over K-step schedules of sum_t k_t h_{s_{t-1}} - sum_j h_j (docs/concepts.md §2), by a dense DP.

    O(K N^2) numpy work: fine for N up to ~1000.
    """
    import numpy as np
    h = np.asarray(h, dtype=float)
    N = len(h)
    c = np.concatenate([[0.0], np.cumsum(h)])
    a = np.arange(N + 1)
    # cost[a, s] of one block covering positions a..s-1 (inf unless a < s)
    cost = (a[None, :] - a[:, None]) * np.concatenate([h, [0.0]])[:, None] - (c[None, :] - c[:, None])
    cost[a[:, None] >= a[None, :]] = np.inf
    best = cost[0].copy()
    for _ in range(K - 1):
        best = np.min(best[:, None] + cost, axis=0)
    return float(best[N])

# --- profiles from data and denoisers (issue 17): estimators from their papers, conditionals, tolerances ---

def z_bonferroni(count, alpha=1e-3):
    """Two-sided normal quantile so that ``count`` checks |est - true| <= z se all pass with probability
    >= 1 - alpha when the estimates are unbiased with normal errors (Bonferroni)."""
    from scipy.stats import norm

    return float(norm.ppf(1 - alpha / (2 * count)))


def chao_shen_entropy(counts):
    """Chao & Shen (2003), eqs. (2.1)-(2.3), in nats: coverage C = 1 - f1/n (f1 = n replaced by n - 1),
    p_a = C n_k / n, H = -sum p_a log p_a / (1 - (1 - p_a)^n)."""
    c = [int(v) for v in counts if v > 0]
    n = sum(c)
    f1 = sum(1 for v in c if v == 1)
    if f1 == n:
        f1 = n - 1
    C = 1 - f1 / n
    total = 0.0
    for v in c:
        pa = C * v / n
        total -= pa * math.log(pa) / (1 - (1 - pa) ** n)
    return total


def conditional_from_joint(joint, revealed, i):
    """p(X_i | X_R = x_R) from the joint table by summing, for ``revealed`` a dict position -> state."""
    joint = np.asarray(joint, float)
    out = np.zeros(joint.shape[i])
    for x in itertools.product(*[range(c) for c in joint.shape]):
        if all(x[k] == v for k, v in revealed.items()):
            out[x[i]] += joint[x]
    return out / out.sum()


def outside_errors(h, stderr, exact_h, alpha=1e-3):
    """The j with |h_j - exact_j| > z se_j (z Bonferroni over all j at familywise level alpha; se_j = 0 demands
    equality to 1e-9): empty when an unbiased estimate with honest errors agrees with the exact profile."""
    z = z_bonferroni(len(exact_h), alpha)
    return [(j, v, t, s) for j, (v, s, t) in enumerate(zip(h, stderr, exact_h)) if abs(v - t) > z * s + 1e-9]


# --- Markov chains at high precision  ---------------------------------------------------------------
# e_j = (sum_a H(X_a) C(N-1-a, j-1) + sum_d D_d C(N-1-d, j-2)) / C(N, j), D_d = sum_a H(X_{a+d} | X_a): a subset's
# entropy is H(first element) plus the conditional entropies of its consecutive pairs (a pair a < b is consecutive
# when the other j-2 elements avoid [a, b]).  Everything in mpmath at `dps` digits with exact integer binomials.

def mp_chain_profile(init, transitions, dps=30):
    """(h, e) of the Markov chain with initial law `init` and the list of N-1 `transitions`, as mpf at `dps` digits."""
    import mpmath

    def mpf_matrix(t):
        return [[mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator if isinstance(v, (Fraction, int))
                 else mpmath.mpf(v) for v in row] for row in np.asarray(t, dtype=object).tolist()]

    def matmul(a, b):
        return [[mpmath.fsum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))]
                for i in range(len(a))]

    def ent(row):
        return -mpmath.fsum(p * mpmath.log(p) for p in row if p != 0)

    with mpmath.workdps(dps + 15):
        pi = mpf_matrix([list(init)])[0]
        Ts = [mpf_matrix(t) for t in transitions]
        N = len(Ts) + 1
        marg = [pi]
        for t in Ts:
            marg.append(matmul([marg[-1]], t)[0])
        H = [ent(m) for m in marg]
        homogeneous = all(np.array_equal(np.asarray(t, dtype=object), np.asarray(transitions[0], dtype=object))
                          for t in transitions)
        D = [mpmath.mpf(0)] * N
        if homogeneous and N > 1:
            P, cum = None, []
            acc = [mpmath.mpf(0)] * len(pi)
            for m in marg:
                acc = [x + y for x, y in zip(acc, m)]
                cum.append(acc)
            for d in range(1, N):
                P = Ts[0] if P is None else matmul(P, Ts[0])
                rows = [ent(r) for r in P]
                D[d] = mpmath.fsum(c * r for c, r in zip(cum[N - 1 - d], rows))
        else:
            for a in range(N - 1):
                P = None
                for b in range(a + 1, N):
                    P = Ts[b - 1] if P is None else matmul(P, Ts[b - 1])
                    D[b - a] += mpmath.fsum(marg[a][x] * ent(P[x]) for x in range(len(P)))
        e = [mpmath.mpf(0)]
        for j in range(1, N + 1):
            total = mpmath.fsum([H[a] * math.comb(N - 1 - a, j - 1) for a in range(N) if j - 1 <= N - 1 - a] +
                                [D[d] * math.comb(N - 1 - d, j - 2) for d in range(1, N) if 0 <= j - 2 <= N - 1 - d])
            e.append(total / math.comb(N, j))
        h = [e[j + 1] - e[j] for j in range(N)]
    return h, e

# -- printed precision (issue #18: results computed with dps print dps digits) ---------------------
def brute_profile_mp(exact, dps):
    """``h_j`` at ``dps`` digits from an exact joint ``{index tuple: Fraction}``: mean subset entropies in mpmath."""
    N = len(next(iter(exact)))
    with mpmath.workdps(dps + 15):
        def H(T):
            marg = {}
            for idx, v in exact.items():
                key = tuple(idx[i] for i in T)
                marg[key] = marg.get(key, Fraction(0)) + v
            return -mpmath.fsum(mpmath.mpf(v.numerator) / v.denominator *
                                mpmath.log(mpmath.mpf(v.numerator) / v.denominator) for v in marg.values() if v)

        e = [mpmath.mpf(0)] + [mpmath.fsum(H(T) for T in itertools.combinations(range(N), j)) /
                               math.comb(N, j) for j in range(1, N + 1)]
        return [e[j + 1] - e[j] for j in range(N)]

# -- scriptable CLI (issue #18): the joint of a binary symmetric chain, by hand ----------
def symmetric_chain_joint(n, eps):
    """p(x) = 1/2 prod_i (eps if x_i != x_{i-1} else 1 - eps), shape (2,) * n."""
    joint = np.zeros((2,) * n)
    for x in itertools.product(range(2), repeat=n):
        p = 0.5
        for a, b in zip(x, x[1:]):
            p *= eps if a != b else 1 - eps
        joint[x] = p
    return joint


# -- banded optimal schedules (continuum tests) ------------------------------------------------------
def banded_optimal_kl(h, K, W):
    """Optimal E KL over schedules whose blocks are <= W (float DP), and its largest block size.

    ``largest < W`` shows the band did not bind at the optimum found (callers assert it).
    """
    h = np.asarray(h, float)
    N = len(h)
    P = np.concatenate([[0.0], np.cumsum(h)])
    hh = np.concatenate([h, [0.0]])
    D = np.full(N + 1, np.inf)
    D[0] = 0.0
    args = []
    for _ in range(K):
        best = np.full(N + 1, np.inf)
        arg = np.zeros(N + 1, int)
        for k in range(1, min(W, N) + 1):
            a = np.arange(0, N + 1 - k)
            cand = D[a] + k * hh[a] - (P[a + k] - P[a])
            better = cand < best[a + k]
            idx = (a + k)[better]
            best[idx] = cand[better]
            arg[idx] = k
        D = best
        args.append(arg)
    b, largest = N, 0
    for arg in reversed(args):
        largest = max(largest, int(arg[b]))
        b -= arg[b]
    assert b == 0
    return D[N], largest


# -- hidden Markov models at any length (issue #14): every hidden path, subset entropies -----
def hmm_joint_brute(init, trans, emis):
    """p(y) = sum over every hidden path z of pi(z_1) prod_t T_t[z_t, z_{t+1}] prod_t E_t[z_t, y_t]."""
    init = np.asarray(init, float)
    trans = [np.asarray(t, float) for t in trans]
    emis = [np.asarray(e, float) for e in emis]
    states = [len(init)] + [t.shape[1] for t in trans]
    joint = np.zeros(tuple(e.shape[1] for e in emis))
    for z in itertools.product(*[range(m) for m in states]):
        w = init[z[0]] * math.prod(trans[t][z[t], z[t + 1]] for t in range(len(trans)))
        if w == 0:
            continue
        table = np.array(w)
        for t, e in enumerate(emis):
            table = np.multiply.outer(table, e[z[t]])
        joint += table
    return joint


def subset_blockwise(joint, block_length, sizes_per_block):
    """Each block's sum_t k_t h^(b)_{s_{t-1}} - H(X_B | X_<B), with e^(b)_j = mean_{|T|=j} H(X_{<B} X_T) - H(X_{<B})
    from the subset marginals of the joint table."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    terms = []
    for a, sizes in zip(range(0, N, block_length), sizes_per_block):
        block = list(range(a, min(a + block_length, N)))
        prefix = list(range(a))
        hp = entropy(marginal(joint, prefix)) if prefix else 0.0
        e = [0.0] + [float(np.mean([entropy(marginal(joint, prefix + list(T))) - hp
                                    for T in itertools.combinations(block, j)])) for j in range(1, len(block) + 1)]
        terms.append(identity_kl([e[j + 1] - e[j] for j in range(len(block))], [k for k in sizes if k]))
    return terms


def subset_partition(joint, blocks):
    """Each step's sum_{i in S} H(X_i | X_C) - H(X_S | X_C) from the subset marginals of the joint table."""
    joint = np.asarray(joint, float)

    def H(A):
        return entropy(marginal(joint, list(A))) if A else 0.0

    terms, C = [], []
    for S in blocks:
        S = list(S)
        terms.append(sum(H(C + [i]) - H(C) for i in S) - (H(C + S) - H(C)) if S else 0.0)
        C = C + S
    return terms


# --- Markov random fields by Monte Carlo  -----------------------------------------------------------
def ising_log_partition(n_vars, edges, J, field=0.0):
    """log Z of p(x) ∝ exp(sum_{uv} J s_u s_v + sum_i field s_i), s = 2x - 1, by enumerating the 2^n states."""
    logw = []
    for x in itertools.product((-1, 1), repeat=n_vars):
        logw.append(math.fsum([J * x[u] * x[v] for u, v in edges] + [field * s for s in x]))
    top = max(logw)
    return top + math.log(math.fsum(math.exp(w - top) for w in logw))


# --- Markov random fields by Gibbs sampling  -------------------------------------------------------
def potts_log_factors(edges, J, field=0.0):
    """Potts log-potentials J [x_u = x_v] per edge and field [x_i = 0] per variable (symsched's convention:
    the field favours state 0), for :func:`log_domain_joint`; the unary terms need the variable count, so
    ``field`` is a dict variable -> value (absent: 0)."""
    pairs = [((u, v), (lambda a, b: J * (a == b))) for u, v in edges]
    return pairs + [((i,), (lambda a, f=f: f * (a == 0))) for i, f in dict(field or {}).items()]


def split_rhat_reference(traces):
    """Split R-hat (Gelman et al., BDA3 §11.4) by loops: 2m half-chains of length n, B = n var(means),
    W = mean within-half variance, R = sqrt(((n - 1) / n W + B / n) / W)."""
    halves = []
    for t in traces:
        n = len(t) // 2
        halves += [list(t[:n]), list(t[len(t) - n:])]
    n = len(halves[0])
    means = [math.fsum(h) / n for h in halves]
    grand = math.fsum(means) / len(means)
    B = n * math.fsum((m - grand) ** 2 for m in means) / (len(means) - 1)
    W = math.fsum(math.fsum((x - m) ** 2 for x in h) / (n - 1) for h, m in zip(halves, means)) / len(halves)
    return math.sqrt(((n - 1) / n * W + B / n) / W)


# -- adaptive policies with random tie-breaking (issue 24): every tie-consistent set equally likely ----------
def _policy_scores(rule, M, conds):
    def ent(c):
        return -sum(v * math.log(v) for v in c if v > 0)
    if rule in ("confidence", "threshold"):
        return {i: max(conds[i]) for i in M}
    if rule == "margin":
        return {i: sorted(conds[i])[-1] - (sorted(conds[i])[-2] if len(conds[i]) > 1 else 0.0) for i in M}
    if rule == "left-to-right":
        return {i: -i for i in M}
    return {i: -ent(conds[i]) for i in M}


def tie_consistent_sets(score, M, kk):
    """Every kk-subset S of M whose every (rounded) score is >= every score outside it."""
    r = {i: round(float(score[i]), 10) for i in M}
    out = []
    for S in itertools.combinations(M, kk):
        rest = [r[i] for i in M if i not in S]
        if not rest or min(r[i] for i in S) >= max(rest):
            out.append(sorted(S))
    return out


def _count(rule, M, score, k, tau, gamma_nats):
    if rule == "threshold":
        return max(1, sum(1 for i in M if round(score[i], 10) >= round(tau, 10)))
    if rule == "entropy-bound":
        ents = sorted(-score[i] for i in M)
        best = 1
        for j in range(1, len(ents) + 1):
            if round(sum(ents[:j]) - max(ents[:j]), 10) <= round(gamma_nats, 10):
                best = j
        return best
    return k


def brute_adaptive_ties(joint, rule, sizes=None, tau=None, gamma_nats=None):
    """(law q, {steps: probability}) of an adaptive sampler with random tie-breaking, by recursion: at each
    step every tie-consistent set of the rule's size is equally likely (llada: per candidate vector)."""
    joint = np.asarray(joint, float)
    N = joint.ndim
    q = np.zeros(joint.shape)
    steps = {}

    def rec(revealed, mass, t):
        if len(revealed) == N and (sizes is None or t == len(sizes)):
            q[tuple(revealed[i] for i in range(N))] += mass
            steps[t] = steps.get(t, 0.0) + mass
            return
        M = [i for i in range(N) if i not in revealed]
        conds = {i: _cond(joint, revealed, i) for i in M}
        k = sizes[t] if sizes is not None else None
        if rule == "llada":
            for cand in itertools.product(*[range(joint.shape[i]) for i in M]):
                w = mass
                for i, v in zip(M, cand):
                    w *= conds[i][v]
                if w == 0:
                    continue
                own = dict(zip(M, cand))
                sets = tie_consistent_sets({i: conds[i][own[i]] for i in M}, M, k)
                for S in sets:
                    rec({**revealed, **{i: own[i] for i in S}}, w / len(sets), t + 1)
            return
        score = _policy_scores(rule, M, conds)
        sets = tie_consistent_sets(score, M, _count(rule, M, score, k, tau, gamma_nats))
        for S in sets:
            for vals in itertools.product(*[range(joint.shape[i]) for i in S]):
                w = mass / len(sets)
                for i, v in zip(S, vals):
                    w *= conds[i][v]
                if w > 0:
                    rec({**revealed, **dict(zip(S, vals))}, w, t + 1)

    rec({}, 1.0, 0)
    return q, steps


def projected_stderr(m, se, w, draws=3000, seed=5):
    """Independent reference of projection_stderr: rms of w'(iso(m + noise) - m) by brute-force isotonic fits
    (diagonal covariance; exact entries, se = 0, pinned by a huge weight)."""
    m, se, w = (np.asarray(v, dtype=float) for v in (m, se, w))
    wt = np.where(se > 0, 1 / np.where(se > 0, se, 1) ** 2, 1e12)
    rng = np.random.default_rng(seed)
    vals = [w @ (np.maximum(isotonic_nonincreasing_brute(m + se * rng.standard_normal(m.size), wt), 0) - m)
            for _ in range(draws)]
    return float(np.sqrt(np.mean(np.square(vals))))
