"""Seeded mutation testing of kltools: how many one-token mutants do the tests kill?

Usage: python tools/mutation.py [--n 100] [--seed 0] [--timeout 120] [--modules _discrete ...]

Each mutant changes one token of one kltools module (swap + and -, < and <=,
> and >=, == and !=, `and` and `or`, change a numeric constant, drop a unary
minus), is written over the module in a scratch copy of the repository, and
is run against the fast test files listed for that module in MODULE_TESTS. A
mutant is *killed* when those tests fail (or time out). The script prints the
share killed and every survivor, so each can be judged: a missing test or an
equivalent mutant (one that cannot change any result, e.g. a tolerance that
only tunes accuracy).

To cover a new module, add its name and its test files to MODULE_TESTS.
"""

from __future__ import annotations

import argparse
import io
import random
import shutil
import subprocess
import sys
import tempfile
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Fast test files that exercise each module. Modules not listed here (or
#: whose files do not exist yet) are not mutated.
MODULE_TESTS: dict[str, list[str]] = {
    "_validation": [
        "tests/test_discrete.py",
        "tests/test_discrete_accuracy.py",
        "tests/test_grid.py",
        "tests/test_simulate.py",
        "tests/test_estimators.py",
        "tests/test_bootstrap.py",
    ],
    "_numerics": [
        "tests/test_numerics.py",
        "tests/test_discrete.py",
        "tests/test_discrete_accuracy.py",
        "tests/test_grid.py",
        "tests/test_closed_form.py",
    ],
    "_discrete": ["tests/test_discrete.py", "tests/test_discrete_accuracy.py"],
    "_grid": ["tests/test_grid.py"],
    "_closed_form": ["tests/test_closed_form.py", "tests/test_normal_entropy.py"],
    "_estimators": ["tests/test_estimators.py"],
    "_bootstrap": ["tests/test_bootstrap.py"],
    "_simulate": ["tests/test_simulate.py"],
    "_registry": ["tests/test_between.py", "tests/test_registry.py"],
    "_fallback": ["tests/test_between.py"],
    "_pairs": ["tests/test_between.py", "tests/test_pairs.py"],
    "_scipy_adapter": ["tests/test_between.py", "tests/test_registry.py"],
    "_divergences": ["tests/test_divergences.py"],
    "_information": ["tests/test_information.py"],
    "_mixtures": ["tests/test_mixtures.py"],
    "_logprobs": ["tests/test_logprobs.py"],
    "_renyi_normal": ["tests/test_renyi_normal.py"],
    "_discretize": ["tests/test_discretize.py"],
    "_multinomial": ["tests/test_multinomial.py"],
    "_gtest": ["tests/test_gtest.py"],
    "_neyman_pearson": ["tests/test_neyman_pearson.py"],
    "_chernoff": ["tests/test_chernoff.py"],
    "_counts_checks": ["tests/test_gtest.py", "tests/test_neyman_pearson.py"],
}
#: Never mutated: they need TensorFlow or matplotlib and have slow tests.
SKIP = {"_plotting", "_fitting"}

_MARGIN = (
    "a rounding margin of a few eps on the lower bound: resizing it moves the "
    "bound by about 1e-15 relative, which no test can see without pinning the "
    "margin itself"
)

#: Mutants judged equivalent (no input can change a result, beyond the
#: accuracy a tolerance tunes), keyed by (module, source line stripped, old
#: token, new token), with the reason. The score is printed both raw and
#: over the mutants not listed here; a listed mutant that the tests kill is
#: reported, since then it was not equivalent.
EQUIVALENT: dict[tuple[str, str, str, str], str] = {
    ("_registry", "_NEGATIVE_TOL = 1e-10", "1e-10", "2e-10"): (
        "a tolerance: how far below 0 a closed form may round before it is "
        "reported as wrong; no correct formula lands between 1e-10 and 2e-10"
    ),
    ("_mixtures", "if total > max_nodes:", ">", ">="): (
        "at total == max_nodes the rescale multiplies the piece counts by 1"
    ),
    ("_mixtures", "steps = (mu + sd * _DV_STEPS).reshape(mu.shape[0], -1)", "+", "-"): (
        "_DV_STEPS is symmetric about 0: the same nodes"
    ),
    (
        "_mixtures",
        "new = phi * (new / np.where(phi > 0.0, phi, 1.0)) ** _OVER_RELAX",
        "1.0",
        "0",
    ): (
        "where phi is 0 the quotient becomes inf or nan, and the next line sets "
        "every non-finite entry to 0, which phi * (finite) gives too"
    ),
    (
        "_mixtures",
        "if d == 1:  # a 1 x 1 matrix is symmetric; its factor is the square root",
        "1",
        "0",
    ): "the Cholesky factor of a 1 x 1 matrix is its square root: the same factor",
    ("_mixtures", "return float(nats / divisor + 0.0)", "+", "-"): (
        "+ 0.0 only turns -0.0 into 0.0, and no kernel returns -0.0 (x - x is "
        "+0.0 in round-to-nearest; the bounds pass max(nats, 0.0))"
    ),
    (
        "_mixtures",
        "err_q = (weight * np.where(weight > 0.0, errs, 0.0)).sum(axis=(1, 2)) / total",
        "0.0",
        "1",
    ): "the replaced entries are multiplied by a weight of 0",
    (
        "_mixtures",
        "if abs(x) < 0.5:  # e^x - 1 - x by its series (no cancellation)",
        "<",
        "<=",
    ): ("at |x| = 0.5 the series and expm1 agree to an ulp"),
    (
        "_mixtures",
        "_BLOCK = 32768",
        "32768",
        "32769",
    ): "a block size: scratch memory only",
    (
        "_mixtures",
        "steps = np.array([-40, -20, -10, -6, -3, -1.5, 0, 1.5, 3, 6, 10, 20, 40.0])",
        "40.0",
        "80.0",
    ): "the exact quadrature's initial breakpoints: it refines to rtol 1e-10",
    ("_mixtures", "far = np.exp(lq) - np.exp(lp) * (1.0 + t)", "1.0", "0"): (
        "used only where t >= 700: exp(lp) (1 + t) is below 1e-300 of exp(lq)"
    ),
    (
        "_mixtures",
        "[-8.0, -6.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]",
        "6.0",
        "12.0",
    ): (
        "accuracy only: a node of the lower bound's grid moves from -6 to -12 "
        "deviations; every T gives a bound, and the splitting refines the grid"
    ),
    (
        "_mixtures",
        "u = np.where(right, lo, np.where(straddle, 0.0, -hi))",
        "0.0",
        "1",
    ): (
        "u reaches straddling intervals only through `rise` in their rounding "
        "margin (they use log_mid, not log_b): " + _MARGIN
    ),
    (
        "_mixtures",
        "steps = np.array([-40, -20, -10, -6, -3, -1.5, 0, 1.5, 3, 6, 10, 20, 40.0])",
        "1.5",
        "3.0",
    ): "the exact quadrature's initial breakpoints: it refines to rtol 1e-10",
    (
        "_mixtures",
        "noise = np.abs(np.exp(lq) - np.exp(lp)) * (np.abs(lp) + np.abs(lq) + 2.0)",
        "-",
        "+",
    ): (
        "a larger rounding floor for the exact quadrature, which only stops "
        "bisection sooner where p and q nearly agree; the first Gauss-Legendre "
        "pass over the breakpoints is accurate to about 1e-14 relative there"
    ),
    (
        "_mixtures",
        "x = np.append(x[: -1 : -(-2 * x.size // max_nodes)], x[-1])",
        "2",
        "3",
    ): (
        "accuracy only: thinning keeps every third node instead of every "
        "second when there are many components; every T gives a bound"
    ),
    ("_mixtures", "(err > tol) & (log_mass + log_excess > _LOG_1E_12),", ">", ">="): (
        "a threshold on a heuristic (where to split); equality has measure zero"
    ),
    (
        "_mixtures",
        "[-8.0, -6.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0]",
        "4.0",
        "8.0",
    ): (
        "accuracy only: a node of the lower bound's grid moves from 4 to 8 "
        "deviations; every T gives a bound, and the splitting refines the grid"
    ),
    (
        "_mixtures",
        "_rows(err_ends_p, at_ends) + _rows(err_m, ata) + _rows(err_first, a_s)",
        "+",
        "-",
    ): _MARGIN,
    ("_mixtures", "+ np.abs(np.where(straddle, log_mid, log_b))", "+", "-"): _MARGIN,
    ("_mixtures", "best_scale = base_scale + sum(", "+", "-"): _MARGIN.replace(
        "lower", "upper"
    ),
    ("_mixtures", "rel = _EPS * (8.0 + 2.0 * z2)", "+", "-"): _MARGIN,
    ("_mixtures", "bound = e_p - log_e_q - err_p - err_q - 1e-300", "-", "+"): (
        "a margin of 1e-300, below any divergence a test can compute"
    ),
    ("_mixtures", "mid = 0.5 * (t[1:] + t[:-1])", "-", ""): (
        "accuracy only: mid sets the spread of log(p/q) that scales the "
        "splitting tolerance; every T gives a bound"
    ),
    ("_mixtures", "total = pieces.sum() + 1.0", "+", "-"): (
        "accuracy only: the node budget's rescale threshold moves by 2 nodes"
    ),
    ("_mixtures", "straddle = (lo < 0.0) & (hi > 0.0)", "0.0", "1"): (
        "the straddling formula (Phi(hi) - Phi(lo) times exp(y^2 / 2)) is exact "
        "for every interval; the erfcx one is only more accurate far out"
    ),
    (
        "_mixtures",
        "mass = np.exp(np.maximum(lp[1:], lp[:-1]) - 0.5 * _LOG_2PI) * h",
        "-",
        "+",
    ): "mass is only read in ratios (the centre and spread), where a constant factor cancels",
    ("_mixtures", "if rnd == splits or x.size < 3:", "<", "<="): (
        "the grid has at least 13 nodes (one component's steps)"
    ),
    (
        "_mixtures",
        "scale = float(f.weights @ (np.abs(ent) + np.abs(self_up) + np.abs(cross) + 1.0))",
        "+",
        "-",
    ): _MARGIN.replace("lower", "upper"),
    (
        "_mixtures",
        "w * (abs(lw) + m + 1.0) for w, lw, m in zip(pi, log_pi, rowmin, strict=True)",
        "1.0",
        "0",
    ): _MARGIN.replace("lower", "upper"),
    (
        "_mixtures",
        "scale += pa * (abs(ent) + abs(self_up) + abs(cross) + 1.0)",
        "1.0",
        "0",
    ): _MARGIN.replace("lower", "upper"),
    (
        "_mixtures",
        "err_q += _EPS * (16.0 + math.log2(terms[0].size) + np.abs(log_e_q))",
        "+",
        "-",
    ): _MARGIN,
    (
        "_mixtures",
        "b_up = np.minimum(0.5 * (bracket + err_b), width * _INV_SQRT_2PI)",
        "+",
        "-",
    ): _MARGIN,
    (
        "_mixtures",
        "noise = np.abs(np.exp(lq) - np.exp(lp)) * (np.abs(lp) + np.abs(lq) + 2.0)",
        "+",
        "-",
    ): (
        "the exact quadrature's rounding floor matters only where p and q nearly "
        "agree, where |lp| - |lq| is about 0: the floor shrinks (2 for "
        "2 |log p| + 2) and bisection goes on a little longer, to the same value"
    ),
    (
        "_mixtures",
        "z[start : start + c] = mix.means[j] + block @ mix.chol[j].T",
        "+",
        "-",
    ): (
        "a block of standard normals and its negative have the same law: the "
        "draws change for a given seed, their distribution does not (the tests "
        "check Monte Carlo against its standard error)"
    ),
    ("_mixtures", "best_scale = 0.0", "0.0", "1"): (
        "overwritten at the first step, which always lowers the bound from inf "
        "(or stops with inf, where the margin does not matter)"
    ),
    (
        "_mixtures",
        "if 2 * x.shape[1] > max_nodes:  # many components: thin out",
        "2",
        "3",
    ): (
        "thinning from a third of the budget instead of a half: below a half its "
        "step, ceil(2 N / max_nodes), is 1 and it keeps every node"
    ),
    ("_mixtures", "rel = _EPS * (8.0 + 2.0 * z2)", "8.0", "16.0"): _MARGIN,
    ("_mixtures", "+ 0.5 * z_a * z_a", "+", "-"): _MARGIN,
    ("_mixtures", "+ rise", "+", "-"): _MARGIN,
    ("_mixtures", "err_phi[..., :-1]", "-", ""): _MARGIN,
    (
        "_mixtures",
        "log_mid = 0.5 * y_a * y_a + np.log(np.minimum(mass + 4.0 * _EPS + arg, 1.0))",
        "4.0",
        "8.0",
    ): _MARGIN,
    (
        "_mixtures",
        "np.abs(ends) + at_ends[:, None] + (np.abs(zends) + 1.0) ** 2,",
        "2",
        "3",
    ): _MARGIN,
    (
        "_mixtures",
        "arg = 2.0 * _EPS * (np.abs(zg[..., :-1]) + np.abs(lo) + width + 1.0)",
        "2.0",
        "4.0",
    ): _MARGIN,
    (
        "_mixtures",
        "err_m = err_tail[..., :-1] + err_tail[..., 1:] + 4.0 * _EPS * (m_in + cl + cu)",
        "+",
        "-",
    ): _MARGIN,
    (
        "_mixtures",
        "scale = float(f.weights @ (np.abs(ent) + np.abs(self_up) + np.abs(cross) + 1.0))",
        "1.0",
        "0",
    ): _MARGIN.replace("lower", "upper"),
    (
        "_divergences",
        "logratio = np.where(pos, log_ratio(q, np.where(pos, p, 1.0)), 0.0)",
        "0.0",
        "1",
    ): "every later use of logratio is masked by pos, so off-support values are never read",
    (
        "_discrete",
        "cap = max(1, min(n * k, BLOCK_SIZE))  # the largest block `blocks` yields",
        "1",
        "0",
    ): "cap only sizes a scratch buffer; an empty batch never writes to it",
    (
        "_discrete",
        "if x.ndim != 1 or x.dtype != np.float64 or not 0 < x.size <= SMALL:",
        "0",
        "1",
    ): "the small-input path is a speed path: size-1 inputs take the general one, same value",
    (
        "_discrete",
        "if x.ndim != 1 or x.dtype != np.float64 or not 0 < x.size <= SMALL:",
        "<=",
        "<",
    ): "the small-input path is a speed path: size-16 inputs take the general one, same value",
    (
        "_fallback",
        "small = np.exp(lf_e) <= 1e-15 * np.maximum(1.0, np.abs(total))",
        "1.0",
        "0",
    ): "a negligibility threshold for a tail already below 1e-15 of the result",
    (
        "_mixtures",
        "if d == 1 and k <= _SMALL_K:",
        "<=",
        "<",
    ): "the list path and the array path build the same canonical mixture (a speed path)",
    (
        "_fallback",
        "probe = np.linspace(0.05, 0.95, 64).reshape((-1,) + (1,) * len(shape))",
        "0.95",
        "1.9",
    ): "the probe only times scipy's functions; NaN points cost the same",
    (
        "_fallback",
        "k_hi = np.where((k_hi > 0.0) & (k_hi < 0.5), k_hi, 0.5)",
        "<",
        "<=",
    ): "at k_hi == 0.5 both branches of the where give 0.5",
    ("_fallback", "_ATOL = 1e-12", "1e-12", "2e-12"): (
        "a tolerance on the agreement of the two quadratures, far below the results' scale"
    ),
    ("_information", "_JITTER_FRACTION = 1e-3", "1e-3", "0.002"): (
        "KSG counts compare distances only; a common scale of the jitter, far "
        "below the data's gaps, keeps every count"
    ),
    (
        "_fallback",
        "tail = np.minimum(sa.cdf(q, x[zero_q]), sa.sf(q, x[zero_q] - 1.0))",
        "1.0",
        "0",
    ): "at a point where q's pmf is 0, sf(x - 1) equals sf(x)",
    (
        "_mixtures",
        "steps = np.array([-40, -20, -10, -6, -3, -1.5, 0, 1.5, 3, 6, 10, 20, 40.0])",
        "-",
        "",
    ): (
        "the initial breakpoints of the adaptive exact quadrature, which refines "
        "every piece to rtol 1e-10 wherever they fall"
    ),
    (
        "_mixtures",
        "steps = np.array([-40, -20, -10, -6, -3, -1.5, 0, 1.5, 3, 6, 10, 20, 40.0])",
        "10",
        "11",
    ): (
        "the initial breakpoints of the adaptive exact quadrature, which refines "
        "every piece to rtol 1e-10 wherever they fall"
    ),
    ("_mixtures", "far = np.exp(lq) - np.exp(lp) * (1.0 + t)", "-", "+"): (
        "used only where t >= 700: exp(lp) (1 + t) is below 1e-300 of exp(lq), "
        "so its sign cannot change a double"
    ),
    (
        "_fallback",
        "if not math.isfinite(a) or (math.isfinite(low) and low - a > 2**20):",
        "20",
        "21",
    ): "when to skip a negligible (< 1e-18) lower tail of a sum: speed only",
    ("_fallback", "or last >= b", "or", "and"): (
        "last >= b implies sf(last) = 0, and blocks cover the whole support, so "
        "(blocks or last >= b) and the sf test stop at the same point"
    ),
    (
        "_fallback",
        "r = np.where(np.isfinite(a if lower else b), a if lower else b, 0.0)",
        "0.0",
        "1",
    ): "the origin of the log-distance Newton step towards an infinite end; any origin reaches the same quantile",
    ("_numerics", "small = np.abs(t) < 0.1", "0.1", "0.2"): (
        "the 9-term JS series is accurate to 1.4e-15 up to |t| = 0.2 "
        "(checked against mpmath), so the switch point moves rounding only"
    ),
    (
        "_fallback",
        "even = (np.arange(f.shape[0]) - f.shape[0] // 2) % 2 == 0",
        "0",
        "1",
    ): "the coarse step-2h rule from the odd nodes instead of the even ones: an equally valid coarse rule for the self-check",
    ("_mixtures", "if d == 1:", "1", "0"): (
        "both branches compute the same quantity: the general formula at d = 1 (log-densities, log-overlaps)"
    ),
    (
        "_mixtures",
        "f: _Mixture, g: _Mixture, kl_fg: np.ndarray, max_iter: int = 200",
        "200",
        "201",
    ): "the fixed point stops on its stall criterion well before 200 steps",
}

SWAPS = {
    "+": "-",
    "-": "+",
    "<": "<=",
    "<=": "<",
    ">": ">=",
    ">=": ">",
    "==": "!=",
    "!=": "==",
    "and": "or",
    "or": "and",
}


def _docstring_lines(source: str) -> set[int]:
    """Line numbers inside string tokens (docstrings, messages): never mutated."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def candidates(module: str, source: str) -> list[tuple[str, int, int, str, str]]:
    """All one-token mutations: (module, line, col, old, new)."""
    out = []
    toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
    strings = _docstring_lines(source)
    for i, tok in enumerate(toks):
        line, col = tok.start
        if line in strings or tok.line.lstrip().startswith(("#", "import", "from")):
            continue
        prev = toks[i - 1] if i else None
        if tok.type == tokenize.OP and tok.string in SWAPS:
            if (
                tok.string == "-"
                and prev is not None
                and (
                    (prev.type == tokenize.OP and prev.string in "([{,=:+-*/<>")
                    or (
                        prev.type == tokenize.NAME
                        and prev.string
                        in ("return", "and", "or", "not", "in", "if", "else")
                    )
                )
            ):
                out.append((module, line, col, "-", ""))  # drop a unary minus
            else:
                out.append((module, line, col, tok.string, SWAPS[tok.string]))
        elif tok.type == tokenize.NAME and tok.string in ("and", "or"):
            out.append((module, line, col, tok.string, SWAPS[tok.string]))
        elif tok.type == tokenize.NUMBER and "j" not in tok.string.lower():
            try:
                value = float(tok.string.replace("_", ""))
            except ValueError:
                continue
            new = "1" if value == 0 else ("0" if value == 1 else repr(value * 2))
            if tok.string.isdigit() and value not in (0, 1):
                new = str(int(value) + 1)
            out.append((module, line, col, tok.string, new))
    return out


def apply(source: str, line: int, col: int, old: str, new: str) -> str:
    lines = source.splitlines(keepends=True)
    text = lines[line - 1]
    assert text[col : col + len(old)] == old, (text, col, old)
    lines[line - 1] = text[:col] + new + text[col + len(old) :]
    return "".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100, help="mutants to sample")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per mutant")
    ap.add_argument("--modules", nargs="*", help="only these modules (e.g. _discrete)")
    ap.add_argument(
        "--part",
        default="1/1",
        help="run only part i of n of the sample (e.g. 2/2), to split a run",
    )
    args = ap.parse_args()

    pool = []
    sources: dict[str, str] = {}
    for path in sorted((ROOT / "kltools").glob("_*.py")):
        mod = path.stem
        if mod in SKIP or mod not in MODULE_TESTS:
            continue
        if args.modules and mod not in args.modules:
            continue
        if not any((ROOT / t).exists() for t in MODULE_TESTS[mod]):
            continue
        sources[mod] = path.read_text()
        pool.extend(candidates(mod, sources[mod]))
    rng = random.Random(args.seed)
    sample = rng.sample(pool, min(args.n, len(pool)))
    i, parts = (int(v) for v in args.part.split("/"))
    lo, hi = (i - 1) * len(sample) // parts, i * len(sample) // parts
    numbered = list(enumerate(sample, 1))[lo:hi]
    print(
        f"{len(pool)} candidate mutants; sample of {len(sample)} (seed {args.seed}); "
        f"running numbers {lo + 1} to {hi}"
    )

    killed, survivors, equivalent, not_equivalent = 0, [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "repo"
        shutil.copytree(
            ROOT,
            work,
            ignore=shutil.ignore_patterns(
                ".venv",
                ".git",
                "_build",
                "node_modules",
                "book",
                "*.egg-info",
                "__pycache__",
            ),
        )
        for n, (mod, line, col, old, new) in numbered:
            src_path = work / "kltools" / f"{mod}.py"
            original = sources[mod]
            src_path.write_text(apply(original, line, col, old, new))
            tests = [t for t in MODULE_TESTS[mod] if (work / t).exists()]
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "-x",
                "-q",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
                "-o",
                "filterwarnings=error",
                "-p",
                "no:randomly",
                *tests,
            ]
            try:
                res = subprocess.run(
                    cmd,
                    cwd=work,
                    capture_output=True,
                    timeout=args.timeout,
                    env={
                        "PYTHONPATH": str(work),
                        "PATH": "/usr/bin:/bin",
                        "HYPOTHESIS_PROFILE": "default",
                    },
                )
                dead = res.returncode != 0
            except subprocess.TimeoutExpired:
                dead = True
            src_path.write_text(original)
            killed += dead
            where = f"{mod}.py:{line}:{col} {old!r} -> {new!r}"
            code = original.splitlines()[line - 1].strip()
            print(
                f"[{n:3d}] {'killed  ' if dead else 'SURVIVED'} {where}   {code}",
                flush=True,
            )
            why = EQUIVALENT.get((mod, code, old, new))
            if not dead:
                if why is None:
                    survivors.append(f"{where}   {code}")
                else:
                    equivalent.append(f"{where}: {why}")
            elif why is not None:
                not_equivalent.append(f"{where}   {code}")
    ran = len(numbered)
    print(f"\nkilled {killed} of {ran} mutants ({100 * killed / max(ran, 1):.0f}%)")
    real = ran - len(equivalent)
    print(
        f"{len(equivalent)} survivors are listed as equivalent (EQUIVALENT); "
        f"killed {killed} of the other {real} ({100 * killed / max(real, 1):.0f}%)"
    )
    if equivalent:
        print("equivalent, and why:")
        for s in equivalent:
            print("  " + s)
    if not_equivalent:
        print("listed as equivalent but killed (remove from EQUIVALENT):")
        for s in not_equivalent:
            print("  " + s)
    if survivors:
        print("survivors:")
        for s in survivors:
            print("  " + s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
