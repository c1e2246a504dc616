#!/usr/bin/env python3
"""Generate a synthetic, TYPE-CORRECT IML workspace that is also valid OCaml
(deterministic by seed).

Like bench/gen_workspace.py (same graph, same layout: d000/f00000.iml, ...;
file i imports up to --imports earlier files, so the graph is acyclic), but
every file is well typed in the fragment where IML and OCaml agree, and
really USES what it imports:
  - every file exports the same small interface: records `point`, variants
    `shape` and `'a tree`, and the functions `mk_point`, `size`, `weight`,
    `map_shape`, `tree_insert`, `tree_fold`, `tree_map`, `tree_of_list`;
  - for each import M (module name = capitalised base name, f00012.iml ->
    F00012) it converts M's records and constructors (`p.M.px`,
    `M.Circle r`, `M.shape`) and calls M's functions, some polymorphic ones
    at new types;
  - then filler items until about --lines lines: records with `with`
    updates, parameterised variants, inline records, nested modules,
    polymorphic helpers, recursive functions over lists and trees,
    mutual recursion, labelled and optional arguments, pattern matching
    (guards, or- and as-patterns), pipelines; and a few IML-only items:
    `theorem`/`lemma` statements with `[@@by auto]`, `verify`/`instance`,
    `[@@measure ...]`, `==>`.
Rules kept so that IML and OCaml agree: the ordering operators are used on
ints only (both operands are forced to int), no reals or floats, and the
only library functions used are those whose types are identical in IML's
prelude (analysis/prelude.iml) and OCaml's stdlib: List.map, List.filter,
List.fold_left, List.fold_right, List.length, List.rev, List.for_all,
List.exists, List.mem, Option.map, fst, snd, abs, not, ( @ ), ( |> ).
No top-level value is left with a non-generalisable type variable.

--ocaml OUT2 writes the same sources as OCaml (.ml, same relative paths,
same line numbers): imports become blank lines (OCaml finds F00012 as a
compilation unit, compiled in index order with -I on every directory),
`theorem`/`lemma` become `let`, `verify e`/`instance e` become `let _ = e`,
`a ==> b` becomes `not (a) || (b)`, and the lines holding only IML
attributes (`[@@by ...]`, `[@@measure ...]`) become blank. Compiling the
.ml files in index order with `ocamlc -c -stop-after typing` must succeed;
--check-ocaml does exactly that (this validates the generator).

Two interface edits are known to bench/typecheck_bench.py (keep in sync):
  body-only:          the line `  | Circle r -> r + 3` in `size`
  interface-changing: the line `let weight (s : shape) : int = ...`

usage: bench/gen_typed.py [OUT] [--ocaml OUT2] [--files 1000] [--lines 100]
       [--imports 3] [--per-dir 50] [--seed 1] [--check-ocaml]
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile


def rel_paths(files, per_dir, ext="iml"):
    return [f"d{i // per_dir:03d}/f{i:05d}.{ext}" for i in range(files)]


def import_graph(files, imports, seed):
    """targets[i]: the sorted indices file i imports (all < i); the same
    graph as bench/gen_workspace.py for the same arguments."""
    r = random.Random(seed)
    return [sorted(set(r.randrange(i) for _ in range(imports))) if i else [] for i in range(files)]


def module_name(index):
    return f"F{index:05d}"


class Out:
    """Renders one file as IML or as OCaml. Every random draw happens outside
    the ml/iml branches, so both renderings describe the same program."""

    def __init__(self, ml):
        self.ml = ml
        self.lines = []
        self.tail_blank = False  # whether the IML text ends with a blank line

    def add(self, text):
        self.lines.extend(text.split("\n"))
        self.tail_blank = self.lines[-1] == ""

    def blank(self):
        if self.lines and not self.tail_blank:
            self.lines.append("")
            self.tail_blank = True

    def attr(self, text):
        """A line holding only an IML item or attribute (blank in OCaml, so
        that both versions keep the same line numbers)."""
        self.lines.append("" if self.ml else text)
        self.tail_blank = False

    def spec(self, kw, head, body, by="[@@by auto]"):
        """theorem/lemma `head` = body (a bool); OCaml: a bool function."""
        self.add(f"{'let' if self.ml else kw} {head} =\n  {body}")
        if by:
            self.attr(by)

    def verify(self, kw, expr):
        self.add(f"{'let _ =' if self.ml else kw} {expr}")

    def imp(self, a, b):
        """a ==> b with both sides parenthesised (IML's ==> has the lowest
        precedence; OCaml has no ==>)."""
        return f"not ({a}) || ({b})" if self.ml else f"({a}) ==> ({b})"


def api(o, r):
    """The interface every importer uses (fixed names, varied constants)."""
    c1, c2, c3 = r.randrange(1, 9), r.randrange(2, 6), r.randrange(1, 20)
    # The next two lines are the edit targets of bench/typecheck_bench.py.
    o.add(f"""type point = {{ px : int; py : int }}

type shape =
  | Circle of int
  | Rect of point * point
  | Group of shape list

type 'a tree =
  | Leaf
  | Node of 'a tree * 'a * 'a tree

let origin : point = {{ px = 0; py = 0 }}

let mk_point (x : int) (y : int) : point = {{ px = x; py = y }}

(** The size of a shape (never negative for non-negative radii). *)
let rec size (s : shape) : int =
  match s with
  | Circle r -> r + 3
  | Rect (a, b) -> abs (b.px - a.px) + abs (b.py - a.py) + {c1}
  | Group ss -> List.fold_left (fun acc x -> acc + size x) 0 ss

let weight (s : shape) : int = size s * {c2} + {c3}

let rec map_shape (f : int -> int) (s : shape) : shape =
  match s with
  | Circle r -> Circle (f r)
  | Rect (a, b) -> Rect (mk_point (f a.px) a.py, mk_point b.px (f b.py))
  | Group ss -> Group (List.map (map_shape f) ss)

let rec tree_insert (x : int) (t : int tree) : int tree =
  match t with
  | Leaf -> Node (Leaf, x, Leaf)
  | Node (l, y, rt) -> if x < y then Node (tree_insert x l, y, rt) else Node (l, y, tree_insert x rt)

let rec tree_fold f acc t =
  match t with
  | Leaf -> acc
  | Node (l, x, rt) -> tree_fold f (f (tree_fold f acc l) x) rt

let rec tree_map f t =
  match t with
  | Leaf -> Leaf
  | Node (l, x, rt) -> Node (tree_map f l, f x, tree_map f rt)

let tree_of_list (xs : int list) : int tree = List.fold_left (fun t x -> tree_insert x t) Leaf xs
""")
    o.spec("theorem", "circle_size (n : int)", o.imp("n >= 0", "size (Circle n) >= 3"))
    o.blank()
    o.verify("verify", "(fun (r : int) -> " + o.imp("r >= 0", "size (Circle r) > 0") + ")")
    o.blank()


def use_import(o, r, m):
    """Uses import M: always `score_m` (calls M.weight: the target of the
    interface-changing edit), then either a conversion of M's records and
    constructors into ours, or M's polymorphic tree functions at new types."""
    low = m.lower()
    k, j, how = r.randrange(1, 50), r.randrange(2, 5), r.randrange(2)
    o.add(f"""let score_{low} : int =
  let g = {m}.Group [ {m}.Circle 1; {m}.Rect ({m}.origin, {m}.mk_point {k} {j}) ] in
  {m}.weight ({m}.Circle {k}) + {m}.size ({m}.map_shape (fun r -> r * {j}) g)
""")
    if how == 0:
        o.add(f"""let lift_{low} (p : {m}.point) : point = mk_point p.{m}.px (p.{m}.py + {k})

let rec import_{low} (s : {m}.shape) : shape =
  match s with
  | {m}.Circle r -> Circle (r + {k})
  | {m}.Rect (a, b) -> Rect (lift_{low} a, lift_{low} b)
  | {m}.Group ss -> Group (List.map import_{low} ss)
""")
    else:
        o.add(f"""let flags_{low} (xs : int list) : (int * bool) {m}.tree =
  {m}.tree_map (fun x -> (x, x > {k})) ({m}.tree_of_list xs)
""")


def q(m, name):
    return f"{m}.{name}" if m else name


def filler(o, r, n, mods):
    """One filler item numbered n; mods: the imported modules (may be [])."""
    kind = r.randrange(14)
    m = r.choice(mods) if mods else ""
    c, d = r.randrange(1, 100), r.randrange(2, 10)
    if kind == 0:
        o.add(f"""type account_{n} = {{ owner_{n} : string; balance_{n} : int; history_{n} : int list }}

let deposit_{n} (a : account_{n}) (amount : int) : account_{n} =
  if amount > 0 then {{ a with balance_{n} = a.balance_{n} + amount; history_{n} = amount :: a.history_{n} }} else a

let opened_{n} : account_{n} = deposit_{n} {{ owner_{n} = "acct{c}"; balance_{n} = {c}; history_{n} = [] }} {d}
""")
        o.spec("theorem", f"deposit_{n}_monotone (a : account_{n}) (amount : int)",
               f"(deposit_{n} a amount).balance_{n} >= a.balance_{n}")
    elif kind == 1:
        o.add(f"""let rec count_above_{n} (t : int) (xs : int list) : int =
  match xs with
  | [] -> 0
  | x :: rest -> (if x > t then 1 else 0) + count_above_{n} t rest""")
        o.attr("[@@measure Ordinal.of_int (List.length xs)]")
        o.blank()
        o.spec("lemma", f"count_above_{n}_bound (t : int) (xs : int list)",
               f"count_above_{n} t xs <= List.length xs")
    elif kind == 2:
        o.add(f"""let rec zip_{n} xs ys =
  match xs, ys with
  | x :: xt, y :: yt -> (x, y) :: zip_{n} xt yt
  | _, _ -> []

let unzip_{n} ps = (List.map fst ps, List.map snd ps)

let pairs_{n} = zip_{n} [ {c}; {d} ] [ true; false ]
""")
        o.spec("theorem", f"zip_{n}_length (xs : int list) (ys : bool list)",
               f"List.length (zip_{n} xs ys) <= List.length xs")
    elif kind == 3:
        o.add(f"""type ('a, 'b) either_{n} =
  | First_{n} of 'a
  | Second_{n} of 'b

let either_{n}_map (f : 'a -> 'c) (g : 'b -> 'd) (e : ('a, 'b) either_{n}) : ('c, 'd) either_{n} =
  match e with
  | First_{n} a -> First_{n} (f a)
  | Second_{n} b -> Second_{n} (g b)

let partition_{n} (p : int -> bool) (xs : int list) : (int, {q(m, 'shape')}) either_{n} list =
  List.map (fun x -> if p x then First_{n} x else Second_{n} ({q(m, 'Circle')} (x - {c}))) xs
""")
    elif kind == 4:
        o.add(f"""module Stack_{n} = struct
  type 'a t = {{ items : 'a list; depth : int }}

  let empty = {{ items = []; depth = 0 }}

  let push x s = {{ items = x :: s.items; depth = s.depth + 1 }}

  let pop s =
    match s.items with
    | [] -> None
    | x :: rest -> Some (x, {{ items = rest; depth = s.depth - 1 }})
end

let stack_{n} = Stack_{n}.push {q(m, 'origin')} (Stack_{n}.push ({q(m, 'mk_point')} {c} {d}) Stack_{n}.empty)
""")
    elif kind == 5:
        if r.randrange(2):
            o.verify("verify", "(fun (x : int) (y : int) -> " + o.imp("x < y", f"x + {c} < y + {c}") + ")")
        else:
            o.verify("instance", f"(fun (xs : int list) -> List.length xs > {d} && List.for_all (fun x -> x > {c}) xs)")
        o.verify("verify", f"(fun xs -> List.length (List.rev xs) = List.length xs)")
    elif kind == 6:
        o.add(f"""let clamp_{n} ~lo ~hi (x : int) : int = if x < lo then lo else if x > hi then hi else x

let bump_{n} ?(by = {d}) (x : int) : int = x + by

let adjust_{n} (xs : int list) : int list = List.map (fun x -> clamp_{n} ~lo:0 ~hi:{c} (bump_{n} x + bump_{n} ~by:1 x)) xs
""")
    elif kind == 7:
        o.add(f"""let rec even_{n} (k : int) : bool = if k <= 0 then true else odd_{n} (k - 1)
and odd_{n} (k : int) : bool = if k <= 0 then false else even_{n} (k - 1)
""")
        o.spec("lemma", f"even_odd_{n} (k : int)", o.imp("k >= 0", f"even_{n} k <> odd_{n} k"))
    elif kind == 8:
        o.add(f"""type event_{n} =
  | Click_{n} of {{ cx_{n} : int; cy_{n} : int }}
  | Key_{n} of string
  | Tick_{n}

let cost_{n} (e : event_{n}) : int =
  match e with
  | Click_{n} {{ cx_{n}; cy_{n} }} -> abs cx_{n} + abs cy_{n}
  | Key_{n} s -> if s = "" then 0 else {c}
  | Tick_{n} -> 1

let events_{n} : event_{n} list = [ Click_{n} {{ cx_{n} = {c}; cy_{n} = {d} }}; Key_{n} "k"; Tick_{n} ]
""")
    elif kind == 9:
        o.add(f"""let classify_{n} : int list -> int = function
  | [] -> 0
  | [ _ ] -> 1
  | x :: (y :: _ as rest) when x < y -> 2 + List.length rest
  | _ :: _ :: _ -> {c}

let shape_kind_{n} (s : {q(m, 'shape')}) : int =
  match s with
  | {q(m, 'Circle')} r when r > {c} -> 1
  | {q(m, 'Circle')} _ | {q(m, 'Group')} [] -> 2
  | {q(m, 'Rect')} (a, _) -> a.{q(m, 'px')}
  | {q(m, 'Group')} (_ :: _ as ss) -> List.length ss
""")
    elif kind == 10:
        o.add(f"""let tree_{n} = {q(m, 'tree_of_list')} [ {c}; {d}; {c + d}; {c * d} ]

let labels_{n} = {q(m, 'tree_map')} (fun x -> (x, x > {c})) tree_{n}

let total_{n} : int = {q(m, 'tree_fold')} (fun acc (x, big) -> if big then acc + x else acc) 0 labels_{n}
""")
        o.spec("theorem", f"tree_{n}_fold (k : int)",
               f"{q(m, 'tree_fold')} (fun acc x -> acc + x) k ({q(m, 'tree_map')} (fun _ -> 0) tree_{n}) = k")
    elif kind == 11:
        o.add(f"""let pipeline_{n} (xs : int list) : int =
  xs |> List.filter (fun x -> x mod {d} <> 0) |> List.map (fun x -> x * {c}) |> List.fold_left ( + ) 0

let weights_{n} (ss : {q(m, 'shape')} list) : int list = List.map {q(m, 'weight')} ss @ [ {c} ]
""")
    elif kind == 12:
        o.add(f"""let rec find_{n} (p : 'a -> bool) (xs : 'a list) : 'a option =
  match xs with
  | [] -> None
  | x :: rest -> if p x then Some x else find_{n} p rest""")
        o.attr("[@@measure Ordinal.of_int (List.length xs)]")
        o.add(f"""
let get_or_{n} (d : 'a) (o : 'a option) : 'a = match o with Some x -> x | None -> d

let first_big_{n} (xs : int list) : int = get_or_{n} 0 (Option.map (fun x -> x * {d}) (find_{n} (fun x -> x > {c}) xs))
""")
        o.spec("theorem", f"find_{n}_mem (xs : int list)",
               f"(match find_{n} (fun x -> x > {c}) xs with Some x -> List.mem x xs | None -> true)")
    else:
        o.add(f"""type range_{n} = int * int

let split_{n} (pivot : int) (xs : int list) : int list * int list =
  List.fold_right (fun x (lo, hi) -> if x < pivot then (x :: lo, hi) else (lo, x :: hi)) xs ([], [])

let spread_{n} (xs : int list) : range_{n} =
  let (lo, hi) = split_{n} {c} xs in
  (List.length lo, List.length hi)
""")
        o.spec("theorem", f"split_{n}_sizes (xs : int list)",
               f"(let (lo, hi) = split_{n} {c} xs in List.length lo + List.length hi = List.length xs)")
    o.blank()


def gen_file(index, path, targets, rel, lines, seed, ml):
    """The text of file `index` (IML, or OCaml when ml)."""
    r = random.Random(f"{seed}:{index}")
    o = Out(ml)
    o.add(f"(* {path}: generated by bench/gen_typed.py (type-correct IML, also valid OCaml) *)")
    for t in targets:
        o.attr(f'[@@@import "{os.path.relpath(rel[t], os.path.dirname(path))}"]')
    o.blank()
    api(o, r)
    mods = [module_name(t) for t in targets]
    for m in mods:
        use_import(o, r, m)
    n = 0
    while len(o.lines) < lines:
        filler(o, r, n, mods)
        n += 1
    body = o.lines[:-1] if o.tail_blank else o.lines  # no trailing blank line
    return "\n".join(body) + "\n"


def write_tree(out, a, ml):
    rel = rel_paths(a.files, a.per_dir)
    graph = import_graph(a.files, a.imports, a.seed)
    total = 0
    for i, path in enumerate(rel):
        text = gen_file(i, path, graph[i], rel, a.lines, a.seed, ml)
        dest = os.path.join(out, path[:-4] + ".ml" if ml else path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "w") as f:
            f.write(text)
        total += len(text)
    return total


def ocaml_dirs(out, files, per_dir):
    return sorted({os.path.join(out, os.path.dirname(p)) for p in rel_paths(files, per_dir)})


def check_ocaml(out, files, per_dir):
    """Compile OUT's .ml files in dependency (= index) order, one command;
    returns (ok, compiler output)."""
    incs = [x for d in ocaml_dirs(out, files, per_dir) for x in ("-I", d)]
    srcs = [os.path.join(out, p) for p in rel_paths(files, per_dir, "ml")]
    p = subprocess.run(["ocamlc", "-c", "-stop-after", "typing"] + incs + srcs,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p.returncode == 0, p.stdout.decode(errors="replace")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?")
    ap.add_argument("--ocaml", metavar="OUT2", help="also write the OCaml version (.ml) here")
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--lines", type=int, default=100)
    ap.add_argument("--imports", type=int, default=3)
    ap.add_argument("--per-dir", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--check-ocaml", action="store_true",
                    help="compile the OCaml version with ocamlc -c -stop-after typing, in dependency order")
    a = ap.parse_args()
    if not a.out and not a.ocaml and not a.check_ocaml:
        ap.error("give OUT, --ocaml OUT2 or --check-ocaml")
    if a.out:
        total = write_tree(a.out, a, False)
        print(f"{a.files} IML files, {total} bytes in {a.out}")
    if a.ocaml:
        total = write_tree(a.ocaml, a, True)
        print(f"{a.files} OCaml files, {total} bytes in {a.ocaml}")
    if a.check_ocaml:
        tmp = None
        ml_dir = a.ocaml
        if not ml_dir:
            tmp = tempfile.mkdtemp()
            ml_dir = tmp
            write_tree(ml_dir, a, True)
        ok, log = check_ocaml(ml_dir, a.files, a.per_dir)
        if tmp:
            shutil.rmtree(tmp)
        else:
            for dp, _, fs in os.walk(ml_dir):
                for f in fs:
                    if f.endswith((".cmi", ".cmo")):
                        os.unlink(os.path.join(dp, f))
        sys.stdout.write(log)
        warnings = log.count("Warning")
        print(f"ocamlc -c -stop-after typing: {'accepted' if ok else 'REJECTED'} all {a.files} files"
              f" ({warnings} warnings)" if ok else "ocamlc rejected the generated sources")
        sys.exit(0 if ok and not warnings else 1)


if __name__ == "__main__":
    main()
