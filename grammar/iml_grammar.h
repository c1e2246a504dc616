/*
** iml_grammar.h — the IML syntax layer on top of tree-sitter-ocaml.
**
** tree-sitter-ocaml does not know IML's top-level keywords, so the parser is
** fed a same-length VIEW of the user's text in which, outside comments
** (which nest and may contain strings), string literals (including quoted
** strings {id|…|id}) and character literals, each whole-word token where
** an item can start (rule in iml_grammar.c: column 0, or after `;;`, an
** item's end or `struct` at a line start; never before `=`, `:` …)
**   theorem / lemma / axiom                     becomes "let" + spaces, and
**   verify / instance / eval / test / qcheck    becomes ";;" + spaces,
** and each REPL directive line (first non-blank character ':' at the start of
** a line, e.g. ":redef on") becomes blanks. Only these same-length
** substitutions happen and newlines are never touched, so every byte offset
** and row/column in the tree is an offset in the user's text; the analyser
** reads the real keyword back from the text at a node's start.
**
** Thread-safety: all functions are pure or operate on caller-owned objects;
** the TSLanguage is a static, immutable object shared by all threads.
*/
#ifndef IML_GRAMMAR_H
#define IML_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tree_sitter/api.h>

/* The IML language (tree-sitter-ocaml's `ocaml` grammar). Static; never freed. */
const TSLanguage *imlg_language(void);

/* Write the view of text[0..len) into out[0..len) (caller-owned buffer of
** at least len bytes; may not alias text). */
void imlg_view(const char *text, size_t len, char *out);

/* Malloc'd view (caller frees with free), NUL-terminated; NULL on OOM. */
char *imlg_view_dup(const char *text, size_t len);

/* The IML keyword whose token starts at text[off], or NULL. Returns one of
** the static strings "theorem", "lemma", "axiom", "verify", "instance",
** "eval", "test", "qcheck" when the view substituted that keyword there. */
const char *imlg_keyword_at(const char *text, size_t len, size_t off);

/* Same answer as imlg_keyword_at, in O(1), given the text's view (borrowed;
** e.g. the one passed to imlg_parse). imlg_keyword_at must rescan the text
** up to `off`, so prefer this one when walking many items of a big file. */
const char *imlg_keyword_at_view(const char *text, const char *view, size_t len,
                                 size_t off);

/* Edits to give ts_tree_edit when the text changes from old to new.
**
** The first edit is the user's change, computed as the common-prefix/suffix
** difference of the two texts; the following ones are same-length edits (in
** new-text coordinates, applied after the first) for every maximal run of
** bytes outside that range whose VIEW changed (e.g. a keyword after a newly
** typed "(*" stops being substituted). Applying all of them, in order, to the
** old tree makes an incremental parse equal a fresh parse of the new view.
**
** `old_view`/`new_view` are the views of the texts (borrowed). Returns the
** number of edits written to *out (caller frees *out with free); 0 when the
** views are identical; -1 on allocation failure. */
int imlg_compute_edits(const char *old_text, const char *old_view, size_t old_len,
                       const char *new_text, const char *new_view, size_t new_len,
                       TSInputEdit **out);

/* Parse text[0..len) with `parser` (borrowed; its language is set to IML).
** `old_tree` (borrowed, may be NULL) must already have had the edits of
** imlg_compute_edits applied. `view` is the view of the text (borrowed), or
** NULL to compute it here. Returns a new tree (caller frees with
** ts_tree_delete) or NULL if parsing was cancelled via the parser's
** cancellation flag. */
TSTree *imlg_parse(TSParser *parser, const TSTree *old_tree,
                   const char *text, const char *view, size_t len);

/* True when `node` lies inside an attribute or extension payload
** ([@…], [@@…], [@@@…], [%…], [%%…]) — where prover tactics live and syntax
** errors are not the user's problem. */
bool imlg_in_attribute_payload(TSNode node);

#endif
