" Minimal IML highlighting: OCaml keywords, IML's proof keywords, comments,
" strings, attributes. (Semantic highlighting comes from the server later.)
if exists("b:current_syntax") | finish | endif
syn keyword imlKeyword let rec and in fun function match with when if then else type of module struct sig end open include as mutable private val
syn keyword imlSpec theorem lemma axiom verify instance eval test qcheck
syn keyword imlBoolean true false
syn region imlComment start="(\*" end="\*)" contains=imlComment,@Spell
syn region imlString start=+"+ skip=+\\\\\|\\"+ end=+"+
syn region imlAttribute start="\[@@\?@\?" end="\]" contains=imlString,imlAttribute
syn match imlImplies "==>\|<==>\|<=="
hi def link imlKeyword Keyword
hi def link imlSpec Statement
hi def link imlBoolean Boolean
hi def link imlComment Comment
hi def link imlString String
hi def link imlAttribute PreProc
hi def link imlImplies Operator
let b:current_syntax = "iml"
