# UTF-16 (the default): the same text, columns in UTF-16 code units.
--> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-16"]}}}}
<-- {"id":1,"result":{"capabilities":{"positionEncoding":"utf-16"}}}
--> {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/e.iml","languageId":"iml","version":1,"text":"let s = \"😀\" )\r\nlet t = 1\r\n"}}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":1,"diagnostics":[{"range":{"start":{"line":0,"character":13},"end":{"line":0,"character":14}},"code":"E0001"}]}}
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/e.iml","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":13},"end":{"line":0,"character":14}},"text":"^ \"𝔸\""}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":2,"diagnostics":[]}}
# Insert after the new astral character (UTF-16 column 19 = after "𝔸\"").
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/e.iml","version":3},"contentChanges":[{"range":{"start":{"line":0,"character":19},"end":{"line":0,"character":19}},"text":" )"}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":3,"diagnostics":[{"range":{"start":{"line":0,"character":20},"end":{"line":0,"character":21}},"code":"E0001"}]}}
--> {"jsonrpc":"2.0","id":3,"method":"shutdown"}
<-- {"id":3,"result":null}
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 0
