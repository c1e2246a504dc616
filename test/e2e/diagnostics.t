# Syntax diagnostics appear on open, follow edits (each carries its version)
# and are cleared as soon as the text is fixed; closing clears them too.
--> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}
<-- {"id":1,"result":"$any"}
--> {"jsonrpc":"2.0","method":"initialized","params":{}}
--> {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/a.iml","languageId":"iml","version":1,"text":"let f x = x + 1\ntheorem f_pos x = x > 0 ==> f x > 1\n"}}}
<-- {"method":"textDocument/publishDiagnostics","params":{"uri":"file:///w/a.iml","version":1,"diagnostics":[]}}
# Insert "(" before "x + 1": unclosed paren, reported where the parser gives up.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":10},"end":{"line":0,"character":10}},"text":"("}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"uri":"file:///w/a.iml","version":2,"diagnostics":[{"range":"$any","severity":1,"code":"$any","source":"iml","message":"$any"}]}}
# Close it again: diagnostics cleared.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":3},"contentChanges":[{"range":{"start":{"line":0,"character":15},"end":{"line":0,"character":16}},"text":"1)"}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"uri":"file:///w/a.iml","version":3,"diagnostics":[]}}
# A stray ")" is reported precisely.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":4},"contentChanges":[{"text":"let g = 1 )\n"}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":4,"diagnostics":[{"range":{"start":{"line":0,"character":10},"end":{"line":0,"character":11}},"severity":1,"code":"E0001","source":"iml","message":"syntax error: unexpected `)`"}]}}
# A keyword inside a comment is not a keyword; one outside is.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":5},"contentChanges":[{"text":"(* theorem ( *)\nlemma l x = x = x\n[@@by [%rewrite or_false [? at (false || _) in asm index(1)]] @> auto]\n:redef on\nverify (fun x -> x + 0 = x)\n"}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":5,"diagnostics":[]}}
# Several changes in one notification apply in order.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":6},"contentChanges":[{"text":"let a = 1\n"},{"range":{"start":{"line":0,"character":8},"end":{"line":0,"character":9}},"text":"(2"},{"range":{"start":{"line":0,"character":10},"end":{"line":0,"character":10}},"text":")"}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":6,"diagnostics":[]}}
# Out-of-range changes are clamped (and logged), never fatal.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/a.iml","version":7},"contentChanges":[{"range":{"start":{"line":99,"character":0},"end":{"line":120,"character":5}},"text":"let b = )"}]}}
<~~ {"method":"window/logMessage","params":{"type":2}}
<~~ {"method":"textDocument/publishDiagnostics","params":{"version":7,"diagnostics":[{"range":{"start":{"line":1,"character":8},"end":{"line":1,"character":9}},"code":"E0001"}]}}
# Bad params on a notification: logged, nothing else happens.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":42}}}
<~~ {"method":"window/logMessage","params":{"type":2,"message":"textDocument/didChange ignored: invalid params: textDocument.uri must be a string"}}
--> {"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///w/a.iml"}}}
<-- {"method":"textDocument/publishDiagnostics","params":{"uri":"file:///w/a.iml","diagnostics":[]}}
--> {"jsonrpc":"2.0","id":2,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///w/a.iml"}}}
<-- {"id":2,"error":{"code":-32602}}
--> {"jsonrpc":"2.0","id":3,"method":"shutdown"}
<-- {"id":3,"result":null}
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 0
