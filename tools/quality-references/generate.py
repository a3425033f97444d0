#!/usr/bin/python3
"""Reference values for libs/quality, from independent implementations.

Run with Debian bookworm's interpreter and packages (apt-get install -y python3-sklearn r-cran-proc):

    /usr/bin/python3 tools/quality-references/generate.py && npx prettier --write libs/quality/src/fixtures

Writes libs/quality/src/fixtures/{window-metrics,delong,distributions}.json. Deterministic (seeded
numpy Generators). The data sets are stored in the fixtures themselves (rounded so they stay short),
so the TypeScript specs need neither Python nor R.

- scikit-learn 1.2: roc_auc_score, log_loss (eps="auto"), brier_score_loss, calibration_curve
  (strategy="uniform", which drops empty bins: counts and ECE come from the same bin assignment,
  np.searchsorted on the inner edges, as calibration_curve does), mean_absolute_error,
  mean_squared_error(squared=False).
- R pROC (tools/quality-references/delong.R): ci.auc / var (method="delong"), roc.test
  (method="delong", paired=TRUE and paired=FALSE); also R's pnorm, qnorm and pt, which the
  TypeScript ports of the normal and t distributions are checked against.
"""
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.calibration import calibration_curve
from sklearn.metrics import (
    brier_score_loss,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    roc_auc_score,
)

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', '..', 'libs', 'quality', 'src', 'fixtures')
COMMAND = '/usr/bin/python3 tools/quality-references/generate.py && npx prettier --write libs/quality/src/fixtures'
BINS = 10


def scored_events(seed, n, positive_rate, separation, decimals):
    """Labels, and two correlated models' scores: a shared signal plus model-specific noise."""
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < positive_rate).astype(int)
    signal = separation * labels + rng.normal(0, 1, n)
    def model(noise):
        logit = signal + rng.normal(0, noise, n) - separation / 2 + np.log(positive_rate / (1 - positive_rate))
        return np.round(1 / (1 + np.exp(-logit)), decimals)
    return labels, model(0.5), model(0.9)


def binary_cases():
    cases = []
    for name, seed, n, rate, sep, decimals in [
        ('balanced-200', 1, 200, 0.5, 1.2, 6),
        ('ties-150-one-decimal', 2, 150, 0.4, 1.0, 1),
        ('small-9', 3, 9, 0.4, 1.5, 3),
        ('imbalanced-1000-3pct', 4, 1000, 0.03, 1.5, 5),
        ('ties-400-two-decimals', 5, 400, 0.25, 0.8, 2),
    ]:
        labels, a, b = scored_events(seed, n, rate, sep, decimals)
        cases.append({'name': name, 'labels': labels.tolist(), 'scores': a.tolist(), 'secondScores': b.tolist()})
    # Confident mistakes and exact 0/1 scores: the log-loss clipping; scores on bin edges.
    cases.append({
        'name': 'extremes-and-edges',
        'labels': [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 0, 1],
        'scores': [0.0, 1.0, 1.0, 0.0, 0.1, 0.1, 0.3, 0.30000000000000004, 0.5, 0.7, 1e-17, 0.9999999999999999],
        'secondScores': [0.2, 0.8, 0.9, 0.1, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.0, 1.0],
    })
    # One class only: AUC is undefined (sklearn raises), the other metrics are not.
    cases.append({'name': 'negatives-only-5', 'labels': [0, 0, 0, 0, 0], 'scores': [0.1, 0.4, 0.4, 0.05, 0.93],
                  'secondScores': [0.2, 0.3, 0.4, 0.5, 0.6]})
    return cases


def window_reference(case):
    y = np.array(case['labels'])
    p = np.array(case['scores'], dtype=float)
    inner = np.linspace(0.0, 1.0, BINS + 1)[1:-1]
    bin_ids = np.searchsorted(inner, p)  # calibration_curve's assignment (side='left')
    counts = np.bincount(bin_ids, minlength=BINS)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=BINS, strategy='uniform')
    nonempty = counts > 0
    ece = float(np.sum(counts[nonempty] / len(y) * np.abs(prob_pred - prob_true)))
    return {
        'count': int(len(y)),
        'positiveRate': float(np.mean(y)),
        'meanScore': float(np.mean(p)),
        'auc': float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None,
        'logLoss': float(log_loss(y, p, labels=[0, 1])),
        'brierScore': float(brier_score_loss(y, p)),
        'expectedCalibrationError': ece,
        'binCounts': counts.tolist(),
        'nonEmptyMeanScores': prob_pred.tolist(),
        'nonEmptyPositiveRates': prob_true.tolist(),
    }


def multiclass_cases():
    rng = np.random.default_rng(21)
    n, k = 120, 3
    probs = rng.dirichlet([1.0, 2.0, 3.0], n)
    probs[0] = [0.0, 0.0, 1.0]  # a confident mistake if the class is not 2
    probs[1] = [0.5, 0.3, 0.3]  # sums to 1.1: log_loss renormalises it
    classes = rng.integers(0, k, n)
    classes[0] = 0
    probs = np.round(probs, 6)
    return [{
        'name': 'three-classes-120',
        'probabilities': probs.tolist(),
        'classes': classes.tolist(),
        'logLoss': float(log_loss(classes, probs, labels=list(range(k)))),
    }]


def regression_cases():
    rng = np.random.default_rng(22)
    target = np.round(rng.normal(10, 3, 300), 4)
    prediction = np.round(target + rng.standard_t(3, 300), 4)
    return [{
        'name': 'heavy-tailed-300',
        'targets': target.tolist(),
        'predictions': prediction.tolist(),
        'meanAbsoluteError': float(mean_absolute_error(target, prediction)),
        'rootMeanSquaredError': float(mean_squared_error(target, prediction, squared=False)),
    }]


def run_r(cases, jobs):
    with tempfile.TemporaryDirectory() as tmp:
        events, job_file, out = (os.path.join(tmp, f) for f in ('events.csv', 'jobs.csv', 'out.csv'))
        with open(events, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['case', 'series', 'score', 'label'])
            for c in cases:
                for series in ('scores', 'secondScores'):
                    for s, y in zip(c[series], c['labels']):
                        w.writerow([c['name'], series, repr(float(s)), y])
        with open(job_file, 'w', newline='') as f:
            w = csv.writer(f)
            w.writerow(['job', 'kind', 'case1', 'series1', 'case2', 'series2'])
            w.writerows(jobs)
        subprocess.run(['Rscript', os.path.join(HERE, 'delong.R'), events, job_file, out], check=True)
        results = {}
        with open(out) as f:
            for row in csv.DictReader(f):
                value = row['value']
                results.setdefault(row['job'], {})[row['key']] = value if row['job'] == 'versions' else float(value)
        return results


def write(name, payload):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(payload, f, indent=1)
        f.write('\n')


def main():
    cases = binary_cases()
    delong_cases = [c for c in cases if c['name'] not in ('extremes-and-edges', 'negatives-only-5')]
    jobs = [[f"single:{c['name']}", 'single', c['name'], 'scores', '', ''] for c in delong_cases]
    jobs += [[f"paired:{c['name']}", 'paired', c['name'], 'scores', c['name'], 'secondScores'] for c in delong_cases]
    unpaired = [('balanced-200', 'ties-150-one-decimal'), ('imbalanced-1000-3pct', 'ties-400-two-decimals'),
                ('small-9', 'balanced-200')]
    jobs += [[f'unpaired:{a}:{b}', 'unpaired', a, 'scores', b, 'scores'] for a, b in unpaired]
    normal_points = [(-40.0, 1e-300), (-7.5, 1e-12), (-1.96, 0.025), (-0.3, 0.3), (0.0, 0.5), (0.5, 0.7),
                     (0.67, 0.975), (2.5, 0.8), (6.0, 0.999999), (9.0, 1 - 1e-12)]
    jobs += [[f'normal:{x}:{p}', 'normal', repr(x), '', repr(p), ''] for x, p in normal_points]
    t_points = [(-2.1, 5.0), (-0.4, 17.3), (-3.2, 250.7), (-1.96, 4321.5), (0.8, 60.2), (-6.0, 900.0)]
    jobs += [[f't:{x}:{df}', 't', repr(x), '', repr(df), ''] for x, df in t_points]
    r = run_r(cases, jobs)

    versions = {
        'python': platform.python_version(),
        'numpy': np.__version__,
        'scikit-learn': sklearn.__version__,
        'R': r['versions']['R'],
        'pROC': r['versions']['pROC'],
    }
    os.makedirs(OUT, exist_ok=True)
    write('window-metrics.json', {
        'regenerate': COMMAND,
        'versions': versions,
        'binary': [{**c, 'reference': window_reference(c)} for c in cases],
        'multiclass': multiclass_cases(),
        'regression': regression_cases(),
    })
    write('delong.json', {
        'regenerate': COMMAND,
        'versions': versions,
        'cases': [{'name': c['name'], 'labels': c['labels'], 'scores': c['scores'],
                   'secondScores': c['secondScores']} for c in delong_cases],
        'single': [{'case': j[2], **r[j[0]]} for j in jobs if j[1] == 'single'],
        'paired': [{'case': j[2], **r[j[0]]} for j in jobs if j[1] == 'paired'],
        'unpaired': [{'first': j[2], 'second': j[4], **r[j[0]]} for j in jobs if j[1] == 'unpaired'],
    })
    write('distributions.json', {
        'regenerate': COMMAND,
        'versions': versions,
        'normal': [{'x': x, 'p': p, **r[f'normal:{x}:{p}']} for x, p in normal_points],
        't': [{'t': x, 'degreesOfFreedom': df, **r[f't:{x}:{df}']} for x, df in t_points],
    })
    print(f'wrote window-metrics.json, delong.json, distributions.json to {os.path.normpath(OUT)}', file=sys.stderr)


if __name__ == '__main__':
    main()
