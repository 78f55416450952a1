"""``symsched limit``: the continuum (Riemann) limit of a profile function phi(u)."""

from __future__ import annotations

import sympy as sp

from ...continuum import riemann_limit
from ...errors import SymschedError
from ...formatting import format_value
from ...parsing import parse_formula
from ..common import CommandOutput
from ..errors import CLIError, num_arg
from ..options import add_output_options

__all__: list = []


def add_parser(sub) -> None:
    lim = sub.add_parser("limit", help="continuum (Riemann) limit of a profile function phi(u)",
                         description="Continuum limit for h_j ~ phi(j/N): leading constants, optimal density, "
                                     "quantile breakpoints and the quantized objective L(r).")
    lim.add_argument("phi", metavar="PHI", help='non-increasing function of u on [0, 1], e.g. "1/(1+3*u)"')
    lim.add_argument("-K", type=int, default=5, help="number of steps for the breakpoints (default 5)")
    lim.add_argument("-N", type=int, default=None, help="also print the integer schedule for this N")
    lim.add_argument("-r", nargs="*", default=[], help="ratios N/K (>= 1) for the quantized limit L(r)")
    lim.add_argument("--dps", type=int, default=None, help="digits printed (numeric fallbacks are computed "
                                                          "with at least this many)")
    add_output_options(lim)


def run(args):
    u = sp.Symbol("u", real=True)
    try:  # parsed from a whitelist, never executed
        phi = parse_formula(args.phi, {"u": u}, symbol_options={"real": True})
    except SymschedError as exc:
        raise CLIError(f"PHI {args.phi!r} is not a formula in u: {exc}") from None
    extra = phi.free_symbols - {u}
    if extra:
        raise CLIError(f"PHI {args.phi!r} depends on {sorted(map(str, extra))}; only u is allowed")
    if args.K < 1:
        raise CLIError(f"-K must be >= 1, got {args.K}")
    if args.N is not None and not 1 <= args.K <= args.N:
        raise CLIError(f"-N {args.N}: needs N >= K = {args.K}")
    ratios = []
    for r in args.r:
        q = num_arg(r, "-r (the ratio N/K)")
        if q < 1:
            raise CLIError(f"-r {r}: the ratio N/K must be >= 1")
        ratios.append((r, q))
    lim = riemann_limit(phi, u, **({"dps": max(args.dps + 5, 30)} if args.dps else {}))
    d = args.digits
    lines = [f"Continuum limit of h_j ~ phi(j/N), phi(u) = {phi}", ""]
    lines.append(f"f(u) = -phi'(u)                          = {lim.f}")
    lines.append(f"Delta = phi(0) - phi(1)                  = {format_value(lim.delta, d)}")
    lines.append(f"int_0^1 sqrt(f) du                       = {format_value(lim.sqrt_f_integral, d)}")
    # expand_log shows kappa* as printed in the docs, e.g. (2u + 2/3) log 2 rather than log(2**(2u + 2/3))
    lines.append(f"optimal density kappa*(u)                = {sp.expand_log(lim.density, force=True)}")
    lines.append("")
    lines.append("Leading constants: lim (K/N) E KL as N/K -> infinity")
    lines.append(f"  optimal schedule  (1/2)(int sqrt f)^2  = {format_value(lim.leading_constant, d)}")
    lines.append(f"  constant schedule (1/2) Delta          = {format_value(lim.constant_leading_constant, d)}")
    lines.append(f"  gain (int sqrt f)^2 / int f            = {format_value(lim.gain, d)}")
    lines.append("")
    bps = lim.breakpoints(args.K)
    lines.append(f"Optimal breakpoints s_t/N = G^-1(t/K), K = {args.K}:")
    lines.extend(f"  t = {t}: {format_value(b, d)}" for t, b in enumerate(bps))
    parts = {"limit": lim, "K": args.K, "breakpoints": tuple(bps)}
    if args.N is not None:
        sched = lim.schedule(args.N, args.K)
        parts["schedule"] = sched
        lines.append(f"Integer schedule for N = {args.N}: sizes {tuple(sched.sizes)}")
    quantized = []
    for r_text, r_value in ratios:
        q = lim.quantized(r_value)
        quantized.append(q)
        lines.append("")
        lines.append(f"Quantized limit at r = N/K = {r_text}: L(r) = {format_value(q.L, d)}  "
                     f"(smooth sqrt-f rule: {format_value(q.smooth_value, d)}; {q.method})")
    if quantized:
        parts["quantized"] = quantized
    return CommandOutput("limit", parts, d), "\n".join(lines)
