#!/usr/bin/python3
"""Golden values for libs/drift, computed with Debian's python3-scipy / python3-numpy.

Run with Debian's interpreter (not a pyenv python):  /usr/bin/python3 libs/drift/golden/generate.py
Writes libs/drift/src/golden/{ks-2samp,psi,multiple-testing}.json. Deterministic.

Large inputs are not stored: they come from the Park–Miller "minimal standard" generator
(x <- 48271·x mod 2^31−1, u = x/(2^31−1)), which the TypeScript test reimplements exactly. The KS
statistic only depends on ranks, so uniform draws (shifted, scaled, or rounded to create ties)
exercise every code path as well as any other distribution would.
"""
import json
import os
import sys
import warnings

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'src', 'golden')
MODULUS = 2**31 - 1


def park_miller(seed, n):
    x = seed
    out = np.empty(n)
    for i in range(n):
        x = (48271 * x) % MODULUS
        out[i] = x / MODULUS
    return out


def sample(spec):
    """spec: {seed, n, scale, shift, decimals (optional: round to create ties)}."""
    u = park_miller(spec['seed'], spec['n']) * spec.get('scale', 1.0) + spec.get('shift', 0.0)
    if 'decimals' in spec:
        u = np.round(u, spec['decimals'])
    return u


def ks_case(name, a_spec, b_spec, alternative, method):
    a, b = sample(a_spec), sample(b_spec)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        res = stats.ks_2samp(a, b, alternative=alternative, method=method)
    fell_back = any('Switching to' in str(w.message) for w in caught)
    return {
        'name': name,
        'a': a_spec,
        'b': b_spec,
        'alternative': alternative,
        'method': method,
        'statistic': float(res.statistic),
        'pvalue': float(res.pvalue),
        'fellBackToAsymp': fell_back,
    }


def ks_cases():
    cases = []
    sizes = [
        ('tiny-equal', 5, 5, 0.3, None),
        ('small-unequal', 8, 13, 0.2, None),
        ('equal-40', 40, 40, 0.15, None),
        ('unequal-50-70', 50, 70, 0.1, None),
        ('ties-60-45', 60, 45, 0.05, 1),
        ('unequal-200-150', 200, 150, 0.08, None),
        ('ties-300-300', 300, 300, 0.0, 1),
        ('coprime-997-1009', 997, 1009, 0.03, None),
        ('unequal-1000-3000', 1000, 3000, 0.02, 2),
        ('equal-2500', 2500, 2500, 0.03, None),
        ('unequal-5000-4000', 5000, 4000, 0.01, None),
        ('max-auto-10000-9999', 10000, 9999, 0.02, None),
    ]
    seed = 1
    for name, n1, n2, shift, decimals in sizes:
        a_spec = {'seed': seed, 'n': n1}
        b_spec = {'seed': seed + 1, 'n': n2, 'shift': shift}
        if decimals is not None:
            a_spec['decimals'] = decimals
            b_spec['decimals'] = decimals
        seed += 2
        for alternative in ['two-sided', 'less', 'greater']:
            methods = ['auto', 'asymp'] if n1 * n2 <= 10000 * 9999 else ['auto']
            for method in methods:
                cases.append(ks_case(f'{name}/{alternative}/{method}', a_spec, b_spec, alternative, method))
    # Asymptotic ('auto' goes asymp above 10,000) up to ~20,000, with effects from none to large
    # so the p-values sweep every kolmogn branch (Durbin matrix, Pelz–Good, Smirnov sum, 0).
    big = [
        ('big-null-20000-15000', 20000, 15000, 0.0, None),
        ('big-small-shift-12000-18000', 12000, 18000, 0.01, None),
        ('big-shift-20000-20000', 20000, 20000, 0.02, None),
        ('big-large-shift-15000-11000', 15000, 11000, 0.1, None),
        ('big-ties-20000-12500', 20000, 12500, 0.005, 2),
    ]
    for name, n1, n2, shift, decimals in big:
        a_spec = {'seed': seed, 'n': n1}
        b_spec = {'seed': seed + 1, 'n': n2, 'shift': shift}
        if decimals is not None:
            a_spec['decimals'] = decimals
            b_spec['decimals'] = decimals
        seed += 2
        for alternative in ['two-sided', 'less', 'greater']:
            cases.append(ks_case(f'{name}/{alternative}/auto', a_spec, b_spec, alternative, 'auto'))
    # Forced asymptotic on small samples: small n = round(n1·n2/(n1+n2)) reaches the Pomeranz,
    # Ruben–Gambino and exact-Smirnov branches of kolmogn.
    for i, (n1, n2, shift) in enumerate([(3, 4, 0.5), (7, 9, 0.4), (20, 25, 0.3), (30, 31, 0.25),
                                          (100, 120, 0.2), (150, 170, 0.1), (280, 300, 0.6)]):
        a_spec = {'seed': 1000 + i, 'n': n1}
        b_spec = {'seed': 2000 + i, 'n': n2, 'shift': shift}
        for alternative in ['two-sided', 'less', 'greater']:
            cases.append(ks_case(f'forced-asymp-{n1}-{n2}/{alternative}', a_spec, b_spec, alternative, 'asymp'))
    # Exact one-sided path counting that overflows and falls back to asymp (scipy warns).
    a_spec = {'seed': 77, 'n': 3000}
    b_spec = {'seed': 78, 'n': 2000, 'shift': 0.01}
    for alternative in ['less', 'greater']:
        cases.append(ks_case(f'exact-overflow-3000-2000/{alternative}', a_spec, b_spec, alternative, 'exact'))
    return cases


def kolmogn_cases():
    from scipy.stats._ksstats import kolmogn
    out = []
    for n in [1, 2, 5, 10, 50, 140, 141, 500, 1000, 5000, 20000, 100000, 100001, 500000]:
        for d in [0.0005, 0.001, 0.003, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.1, 0.15, 0.2, 0.3, 0.45, 0.5, 0.6, 0.9]:
            out.append({'n': n, 'd': d, 'sf': float(stats.kstwo.sf(d, n))})
    return out


def quantile_edges(reference, bins):
    qs = np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1])
    return np.unique(qs)


def psi_from_counts(ref_counts, cur_counts, smoothing):
    ref_counts = np.asarray(ref_counts, dtype=float)
    cur_counts = np.asarray(cur_counts, dtype=float)
    B = len(ref_counts)
    if smoothing['kind'] == 'laplace':
        alpha = smoothing['alpha']
        e = (ref_counts + alpha) / (ref_counts.sum() + alpha * B)
        a = (cur_counts + alpha) / (cur_counts.sum() + alpha * B)
    else:
        e = ref_counts / ref_counts.sum()
        a = cur_counts / cur_counts.sum()
        e = np.where(e == 0, 0.0001, e)
        a = np.where(a == 0, 0.0001, a)
    per_bin = (a - e) * np.log(a / e)
    return float(per_bin.sum()), [float(x) for x in per_bin]


def psi_cases():
    out = []
    specs = [
        ('null-1000-800', {'seed': 11, 'n': 1000}, {'seed': 12, 'n': 800}, 10),
        ('shift-2000-1500', {'seed': 13, 'n': 2000}, {'seed': 14, 'n': 1500, 'shift': 0.1}, 10),
        ('wide-shift-5000', {'seed': 15, 'n': 5000}, {'seed': 16, 'n': 5000, 'shift': 0.5, 'scale': 1.5}, 10),
        ('ties-dedup-edges', {'seed': 17, 'n': 500, 'decimals': 1}, {'seed': 18, 'n': 400, 'decimals': 1}, 20),
        ('out-of-range-current', {'seed': 19, 'n': 300}, {'seed': 20, 'n': 300, 'shift': 2.0}, 5),
        ('small-7-bins-4', {'seed': 21, 'n': 7}, {'seed': 22, 'n': 9, 'shift': 0.2}, 4),
    ]
    for name, ref_spec, cur_spec, bins in specs:
        ref, cur = sample(ref_spec), sample(cur_spec)
        edges = quantile_edges(ref, bins)
        ref_counts = np.bincount(np.searchsorted(edges, ref, side='right'), minlength=len(edges) + 1)
        cur_counts = np.bincount(np.searchsorted(edges, cur, side='right'), minlength=len(edges) + 1)
        case = {
            'name': name,
            'reference': ref_spec,
            'current': cur_spec,
            'bins': bins,
            'edges': [float(x) for x in edges],
            'referenceCounts': [int(x) for x in ref_counts],
            'currentCounts': [int(x) for x in cur_counts],
        }
        for key, smoothing in [('laplace', {'kind': 'laplace', 'alpha': 0.5}), ('evidently', {'kind': 'evidently'})]:
            value, per_bin = psi_from_counts(ref_counts, cur_counts, smoothing)
            case[key] = {'value': value, 'perBin': per_bin}
        out.append(case)
    return out


def categorical_cases():
    ref = ['a'] * 50 + ['b'] * 30 + ['c'] * 20
    cur = ['a'] * 40 + ['b'] * 30 + ['c'] * 10 + ['d'] * 15 + ['e'] * 5
    categories = ['a', 'b', 'c']
    ref_counts = [ref.count(c) for c in categories] + [0]
    cur_counts = [cur.count(c) for c in categories] + [sum(1 for v in cur if v not in categories)]
    value, per_bin = psi_from_counts(ref_counts, cur_counts, {'kind': 'laplace', 'alpha': 0.5})
    return [{'name': 'unseen-categories', 'reference': ref, 'current': cur, 'categories': categories,
             'referenceCounts': ref_counts, 'currentCounts': cur_counts,
             'laplace': {'value': value, 'perBin': per_bin}}]


def multiple_testing_cases():
    try:
        from statsmodels.stats.multitest import multipletests
    except ImportError:
        sys.exit('python3-statsmodels is required for the multiple-testing golden values')
    import statsmodels
    rng = np.random.default_rng(7)
    inputs = [
        [0.01, 0.04, 0.03, 0.005, 0.2],
        [0.5, 0.5, 0.01, 0.001, 0.9, 0.04, 0.04],
        [1e-10, 0.3, 0.999, 0.0499, 0.05, 0.051],
        [float(x) for x in rng.uniform(0, 0.2, 25)],
        [0.9],
    ]
    out = []
    for pv in inputs:
        bonf = multipletests(pv, method='bonferroni')[1]
        bh = multipletests(pv, method='fdr_bh')[1]
        out.append({'pvalues': pv, 'bonferroni': [float(x) for x in bonf], 'benjaminiHochberg': [float(x) for x in bh]})
    return statsmodels.__version__, out


def main():
    os.makedirs(OUT, exist_ok=True)
    versions = {'scipy': scipy.__version__, 'numpy': np.__version__, 'python': sys.version.split()[0]}
    write('ks-2samp.json', {'versions': versions, 'cases': ks_cases(), 'kstwoSf': kolmogn_cases()})
    write('psi.json', {'versions': versions, 'numeric': psi_cases(), 'categorical': categorical_cases()})
    sm_version, mt = multiple_testing_cases()
    write('multiple-testing.json', {'versions': {**versions, 'statsmodels': sm_version}, 'cases': mt})


def write(name, payload):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(payload, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
