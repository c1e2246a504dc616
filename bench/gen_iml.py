#!/usr/bin/env python3
"""Generate a synthetic but realistic IML file of about N lines (deterministic).

usage: bench/gen_iml.py LINES [SEED] > file.iml
"""
import random
import sys


def item(r: random.Random, i: int) -> str:
    k = r.randrange(7)
    if k == 0:
        return (f"type shape{i} =\n  | Circle{i} of real\n  | Rect{i} of {{ w{i} : real; h{i} : real }}\n"
                f"  | Poly{i} of (real * real) list\n")
    if k == 1:
        return (f"let rec sum{i} (xs : int list) : int =\n  match xs with\n  | [] -> 0\n"
                f"  | x :: rest when x > {i % 97} -> x + sum{i} rest\n  | _ :: rest -> sum{i} rest\n"
                f"[@@measure Ordinal.of_int (List.length xs)]\n")
    if k == 2:
        return (f"theorem sum{i}_nonneg (xs : int list) =\n  List.for_all (fun x -> x >= 0) xs\n"
                f"  ==> List.fold_left (+) 0 xs >= 0\n[@@by auto]\n")
    if k == 3:
        return (f"let area{i} (s : real) (w : real) : real =\n  if s >. 0.0 then s *. w +. {i}.5 else 0.0\n")
    if k == 4:
        return f"verify (fun (x : int) (y : int) -> x + y = y + x && (x <= {i} || y > x - 1))\n"
    if k == 5:
        return (f"module M{i} = struct\n  type t = {{ count : int; name : string }}\n"
                f"  let make n = {{ count = n; name = \"m{i}\" }}\n  let bump r = {{ r with count = r.count + 1 }}\nend\n")
    return (f"(* helper {i}: doubles then filters *)\nlet helper{i} xs =\n"
            f"  xs |> List.map (fun x -> x * 2) |> List.filter (fun x -> x mod 3 <> 0)\n")


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    r = random.Random(seed)
    out, n, i = [], 0, 0
    while n < lines:
        s = item(r, i) + "\n"
        out.append(s)
        n += s.count("\n")
        i += 1
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
