#!/usr/bin/env python3
"""Differential test of iml-lsp's type checker against OCaml's (`ocamlc -i`).

  run.py [--count 2000] [--seed S] [--jobs N] [--iml CMD] [--ocaml-only]
         [--keep-failures DIR] [--ill-ratio R] [--print SEED]

Generates programs with gen.py (seeds S, S+1, ...; the fragment where IML and
OCaml agree; about a third deliberately ill-typed), types each one with
`ocamlc -i` and with the IML command (default `build/iml-lsp infer`, relative
to the repository root; the file path is appended), and checks that

  - ocamlc agrees with the generator's intent (well-typed programs accepted
    without weak type variables, ill-typed ones rejected): a failure is a
    generator bug, counted separately; the run fails when it reaches 1% of
    either kind;
  - iml agrees with ocamlc on accept/reject, and for accepted programs on the
    list of top-level values and their types up to renaming of type
    variables (sigcmp.py). Any disagreement fails the run.

--ocaml-only skips iml (checks the generator alone). Prints a summary with
the statistics of the generated programs. Exit 0 all well, 1 failures, 2 a
tool is missing or does not work. Stdlib only; no network.
"""

import argparse
import concurrent.futures as cf
import hashlib
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import sigcmp  # noqa: E402

DEFAULT_IML = 'build/iml-lsp infer'
INTENT_LIMIT = 0.01          # generator-intent failures tolerated (fraction)
TIMEOUT = 30                 # seconds per tool invocation


def run_tool(argv, timeout=TIMEOUT):
    """-> (returncode or 'timeout', stdout, stderr)."""
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b'').decode('utf-8', 'replace')
        return 'timeout', out, 'timed out after %d s' % timeout
    except OSError as e:
        return 'oserror', '', str(e)


def resolve_iml(cmd):
    """The iml command as an argv prefix, or exit 2 with a clear message."""
    argv = shlex.split(cmd)
    if not argv:
        die('--iml is empty')
    exe = argv[0]
    if os.sep in exe and not os.path.isabs(exe):
        exe = os.path.join(ROOT, exe)
    elif os.sep not in exe:
        exe = shutil.which(exe) or exe
    if not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
        die("the IML command '%s' was not found (%s): build iml-lsp first (scripts/build.sh), "
            "pass --iml CMD, or run with --ocaml-only" % (cmd, exe))
    return [exe] + argv[1:]


def probe_iml(argv, tmp):
    """The IML command must type a trivial file like ocamlc -i does."""
    path = os.path.join(tmp, 'probe.iml')
    with open(path, 'w') as f:
        f.write('let probe_x = 1\nlet probe_f y = y\n')
    rc, out, err = run_tool(argv + [path], timeout=20)
    vals, _ = sigcmp.parse_sig(out)
    if rc != 0 or vals != [('probe_x', 'int'), ('probe_f', "'a -> 'a")]:
        die("'%s FILE' does not work yet (exit %s): expected it to print, like ocamlc -i,\n"
            "  val probe_x : int\n  val probe_f : 'a -> 'a\n"
            "and exit 0 on a well-typed file; got stdout %r stderr %r.\n"
            "The `infer` subcommand comes with the type checker (issue 5); meanwhile run with --ocaml-only."
            % (' '.join(argv), rc, out[:300], err[:300]))


def die(msg):
    print('difftest: ' + msg, file=sys.stderr)
    sys.exit(2)


def check_one(prog, tmp, iml_argv):
    """Type one program with both tools; -> result dict."""
    base = os.path.join(tmp, 'p%d' % prog.seed)
    with open(base + '.ml', 'w') as f:
        f.write(prog.text)
    res = {'seed': prog.seed}
    rc, out, err = run_tool(['ocamlc', '-i', '-w', '-a', base + '.ml'])
    res['ocaml'] = (rc, out, err)
    if rc not in (0, 2):
        res['ocaml_broken'] = True
    if iml_argv is not None:
        with open(base + '.iml', 'w') as f:
            f.write(prog.text)
        res['iml'] = run_tool(iml_argv + [base + '.iml'])
        os.unlink(base + '.iml')
    os.unlink(base + '.ml')
    return res


def classify(prog, res):
    """-> (intent problem or None, list of (category, detail) disagreements,
    ocaml vals or None)."""
    orc, oout, oerr = res['ocaml']
    intent = None
    ovals = None
    if res.get('ocaml_broken'):
        return 'ocamlc-failed', [], None
    o_ok = orc == 0
    if o_ok:
        ovals, junk = sigcmp.parse_sig(oout)
        if any(sigcmp.has_weak(t) for _, t in ovals):
            intent = 'weak-type'
        elif not prog.well_typed:
            intent = 'ill-typed-accepted'
    elif prog.well_typed:
        intent = 'well-typed-rejected'
    diffs = []
    if 'iml' in res and intent != 'weak-type':
        irc, iout, ierr = res['iml']
        if irc not in (0, 1):
            diffs.append(('iml-crash', 'exit %s: %s' % (irc, ' | '.join(ierr.strip().splitlines()[-3:])[-300:])))
        elif o_ok and irc == 1:
            diffs.append(('iml-rejects-valid', (ierr.strip().splitlines() or [''])[0][:300]))
        elif not o_ok and irc == 0:
            diffs.append(('iml-accepts-invalid', oerr.strip().splitlines()[-1] if oerr.strip() else ''))
        elif o_ok:
            ivals, ijunk = sigcmp.parse_sig(iout)
            if ijunk:
                diffs.append(('iml-bad-output', ijunk[0][:200]))
            diffs += sigcmp.compare(ovals, ivals)
    return intent, diffs, ovals


def keep(dirname, prog, res, why):
    d = os.path.join(dirname, 'seed-%d' % prog.seed)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'prog.ml'), 'w') as f:
        f.write(prog.text)
    rc, out, err = res['ocaml']
    with open(os.path.join(d, 'ocamlc.txt'), 'w') as f:
        f.write('exit %s\n--- stdout\n%s--- stderr\n%s' % (rc, out, err))
    if 'iml' in res:
        rc, out, err = res['iml']
        with open(os.path.join(d, 'iml.txt'), 'w') as f:
            f.write('exit %s\n--- stdout\n%s--- stderr\n%s' % (rc, out, err))
    with open(os.path.join(d, 'why.txt'), 'w') as f:
        f.write('\n'.join(why) + '\n')


def pct(a, b):
    return 100.0 * a / b if b else 0.0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--count', type=int, default=2000, help='number of programs (default 2000)')
    ap.add_argument('--seed', type=int, default=1, help='first seed (default 1)')
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 2, help='parallel tool runs')
    ap.add_argument('--iml', default=DEFAULT_IML, help='IML command, the file is appended (default: %s)' % DEFAULT_IML)
    ap.add_argument('--ocaml-only', action='store_true', help='only check the generator against ocamlc')
    ap.add_argument('--keep-failures', metavar='DIR', help='save failing programs with both outputs')
    ap.add_argument('--ill-ratio', type=float, default=gen.ILL_RATIO, help='share of ill-typed programs')
    ap.add_argument('--print', type=int, metavar='SEED', dest='print_seed', help='print one program and exit')
    ap.add_argument('--quiet', action='store_true', help='no construct statistics')
    a = ap.parse_args(argv)

    if a.print_seed is not None:
        sys.stdout.write(gen.generate(a.print_seed, None, a.ill_ratio).text)
        return 0
    sigcmp.self_test()
    if not shutil.which('ocamlc'):
        die('ocamlc not found (Debian: apt-get install -y ocaml-nox)')
    t0 = time.time()
    tmp = tempfile.mkdtemp(prefix='difftest.')
    try:
        iml_argv = None
        if not a.ocaml_only:
            iml_argv = resolve_iml(a.iml)
            probe_iml(iml_argv, tmp)
        return run(a, tmp, iml_argv, t0)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(a, tmp, iml_argv, t0):
    progs = {}
    gen_time = 0.0
    results = []
    with cf.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
        futs = []
        for seed in range(a.seed, a.seed + a.count):
            g0 = time.time()
            p = gen.generate(seed, None, a.ill_ratio)
            gen_time += time.time() - g0
            progs[seed] = p
            futs.append(ex.submit(check_one, p, tmp, iml_argv))
        for f in futs:
            results.append(f.result())
    wall = time.time() - t0

    n = len(results)
    well = sum(1 for p in progs.values() if p.well_typed)
    ill = n - well
    distinct = len({hashlib.sha1(p.text.encode()).hexdigest() for p in progs.values()})
    intents = Counter()
    intent_seeds = {}
    diff_cats = Counter()
    diff_seeds = {}
    agree = 0
    o_acc = 0
    nvals = npoly = 0
    injected = Counter()
    injected_rejected = Counter()
    constructs = Counter()
    lines = chars = nodes = 0
    code_seen = Counter()        # ill-typed kind -> rejected by iml
    code_hit = Counter()         # ... with the expected code among its diagnostics
    for res in results:
        p = progs[res['seed']]
        intent, diffs, ovals = classify(p, res)
        if res['ocaml'][0] == 0:
            o_acc += 1
        if ovals and intent is None:
            nvals += len(ovals)
            npoly += sum(1 for _, t in ovals if "'" in t)
        if intent:
            intents[intent] += 1
            intent_seeds.setdefault(intent, []).append(p.seed)
        if p.injected:
            injected[p.injected] += 1
            if res['ocaml'][0] != 0:
                injected_rejected[p.injected] += 1
        for c in set(k for k, _ in diffs):
            diff_cats[c] += 1
            diff_seeds.setdefault(c, []).append(p.seed)
        if iml_argv is not None and intent != 'weak-type':
            if diffs:
                print('DISAGREE seed %d: %s' % (p.seed, '; '.join('%s: %s' % d for d in diffs[:3])))
            else:
                agree += 1
        if a.keep_failures and (diffs or intent):
            keep(a.keep_failures, p, res, ([intent] if intent else []) + ['%s: %s' % d for d in diffs])
        if p.code and 'iml' in res and res['iml'][0] == 1 and res['ocaml'][0] != 0:
            code_seen[p.injected] += 1
            if 'error[%s]' % p.code in res['iml'][2]:
                code_hit[p.injected] += 1
        for k in p.constructs:
            constructs[k] += 1
        lines += p.text.count('\n')
        chars += len(p.text)
        nodes += p.nodes

    print('difftest: %d programs (seeds %d..%d): %d well-typed, %d ill-typed, %d distinct'
          % (n, a.seed, a.seed + a.count - 1, well, ill, distinct))
    print('ocamlc %s: accepted %d, rejected %d' % (ocaml_version(), o_acc, n - o_acc))
    wr = intents['well-typed-rejected'] + intents['weak-type']
    ia = intents['ill-typed-accepted']
    print('generator intent: well-typed rejected %d (%.2f%%), weak types %d, ill-typed accepted %d (%.2f%%)%s'
          % (intents['well-typed-rejected'], pct(intents['well-typed-rejected'], well), intents['weak-type'],
             ia, pct(ia, ill), ', ocamlc failures %d' % intents['ocamlc-failed'] if intents['ocamlc-failed'] else ''))
    for k, seeds in sorted(intent_seeds.items()):
        print('  %s: seeds %s%s' % (k, ' '.join(map(str, seeds[:15])), ' ...' if len(seeds) > 15 else ''))
    print('values: %d top-level values in well-typed programs, %.1f%% polymorphic, %.1f per program'
          % (nvals, pct(npoly, nvals), nvals / max(1, well - wr)))
    print('size: %.1f lines, %.0f characters, %.0f generated expressions per program on average'
          % (lines / n, chars / n, nodes / n))
    if not a.quiet:
        print('constructs (share of programs using each):')
        items = sorted(constructs.items(), key=lambda kv: -kv[1])
        row = []
        for k, c in items:
            row.append('%s %.0f%%' % (k, pct(c, n)))
        for i in range(0, len(row), 6):
            print('  ' + ', '.join(row[i:i + 6]))
        print('injected mistakes (rejected by ocamlc / injected):')
        row = ['%s %d/%d' % (k, injected_rejected[k], c) for k, c in sorted(injected.items())]
        for i in range(0, len(row), 5):
            print('  ' + ', '.join(row[i:i + 5]))
    if iml_argv is not None:
        print('iml (%s): agrees on %d, disagrees on %d' % (' '.join(iml_argv), agree, sum(len(v) for v in diff_seeds.values()) and len({s for v in diff_seeds.values() for s in v})))
        for k, c in sorted(diff_cats.items()):
            seeds = diff_seeds[k]
            print('  %s: %d (seeds %s%s)' % (k, c, ' '.join(map(str, seeds[:15])), ' ...' if len(seeds) > 15 else ''))
        if code_seen:
            # Informative only: the injected mistake's expected code among
            # iml's diagnostics (OCaml reports other first errors at times).
            seen, hit = sum(code_seen.values()), sum(code_hit.values())
            miss = ['%s %d/%d' % (k, code_hit[k], c) for k, c in sorted(code_seen.items()) if code_hit[k] < c]
            if hit == 0:
                print('  (no error[CODE] diagnostics in the output of the iml command)')
            else:
                print('  expected code of the injected mistake reported on %d of %d rejected programs%s'
                      % (hit, seen, (': misses in ' + ', '.join(miss[:10])) if miss else ''))
    else:
        print('iml: not run (--ocaml-only)')
    print('time: %.1f s wall for %d programs with %d jobs (generation %.1f s)' % (wall, n, a.jobs, gen_time))

    fail = False
    if diff_cats:
        fail = True
    if well and wr / well >= INTENT_LIMIT:
        print('FAIL: %d well-typed programs rejected or weak (>= %.0f%%)' % (wr, INTENT_LIMIT * 100))
        fail = True
    if ill and ia / ill >= INTENT_LIMIT:
        print('FAIL: %d ill-typed programs accepted (>= %.0f%%)' % (ia, INTENT_LIMIT * 100))
        fail = True
    if intents['ocamlc-failed']:
        print('FAIL: ocamlc crashed or timed out on %d programs' % intents['ocamlc-failed'])
        fail = True
    print('difftest: %s' % ('FAILED' if fail else 'passed'))
    return 1 if fail else 0


def ocaml_version():
    rc, out, _ = run_tool(['ocamlc', '-version'])
    return out.strip() if rc == 0 else '?'


if __name__ == '__main__':
    sys.exit(main())
