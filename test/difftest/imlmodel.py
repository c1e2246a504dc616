#!/usr/bin/env python3
"""A stand-in for `iml-lsp infer FILE`: OCaml's own checker with IML's prelude
(analysis/prelude.iml, translated by test/prelude/prelude_check.py to-ml)
instead of OCaml's standard library.

  imlmodel.py FILE      prints `val name : type` lines and exits 0, or
                        prints the error on stderr and exits 1

Used as `run.py --iml test/difftest/imlmodel.py` until the real `infer`
exists: it checks the comparison machinery end to end, and that the
generated programs only use prelude names whose IML and OCaml types agree
(a use of `compare` or of `<` on strings would be typed differently here).
It cannot model IML's absence of a value restriction, which the generator
avoids by construction instead.

The compiled prelude interface is cached in $TMPDIR/iml-difftest-model-<hash>.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PRELUDE = os.path.join(ROOT, 'analysis', 'prelude.iml')
TO_ML = os.path.join(ROOT, 'test', 'prelude', 'prelude_check.py')
FLAGS = ['-nopervasives', '-nostdlib']


def prelude_dir():
    with open(PRELUDE, 'rb') as f:
        h = hashlib.sha1(f.read()).hexdigest()[:12]
    d = os.path.join(tempfile.gettempdir(), 'iml-difftest-model-' + h)
    if os.path.isfile(os.path.join(d, 'prelude.cmi')):
        return d
    tmp = tempfile.mkdtemp(prefix='iml-difftest-model.')
    ml = subprocess.run([sys.executable, TO_ML, 'to-ml', PRELUDE], stdout=subprocess.PIPE, check=True).stdout
    with open(os.path.join(tmp, 'prelude.ml'), 'wb') as f:
        f.write(ml)
    mli = subprocess.run(['ocamlc'] + FLAGS + ['-i', 'prelude.ml'], cwd=tmp, stdout=subprocess.PIPE,
                         check=True).stdout
    with open(os.path.join(tmp, 'prelude.mli'), 'wb') as f:
        f.write(mli)
    subprocess.run(['ocamlc'] + FLAGS + ['-c', 'prelude.mli'], cwd=tmp, check=True)
    try:
        os.rename(tmp, d)
    except OSError:          # another process was faster
        shutil.rmtree(tmp, ignore_errors=True)
    return d


def main(argv):
    if len(argv) != 2:
        print('usage: imlmodel.py FILE', file=sys.stderr)
        return 2
    d = prelude_dir()
    src = argv[1]
    work = tempfile.mkdtemp(prefix='iml-model.')
    try:
        ml = os.path.join(work, 'm.ml')   # any .iml name is not a valid OCaml unit
        shutil.copyfile(src, ml)
        p = subprocess.run(['ocamlc'] + FLAGS + ['-I', d, '-open', 'Prelude', '-w', '-a', '-i', ml],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.stdout.write(p.stdout.decode())
    sys.stderr.write(p.stderr.decode())
    return 0 if p.returncode == 0 else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
