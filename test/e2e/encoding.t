# Position encodings: UTF-16 by default, UTF-8 when the client offers it.
# "😀" is 2 UTF-16 code units and 4 UTF-8 bytes.
--> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{"general":{"positionEncodings":["utf-16","utf-8"]}}}}
<-- {"id":1,"result":{"capabilities":{"positionEncoding":"utf-8"}}}
--> {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/e.iml","languageId":"iml","version":1,"text":"let s = \"😀\" )\r\nlet t = 1\r\n"}}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":1,"diagnostics":[{"range":{"start":{"line":0,"character":15},"end":{"line":0,"character":16}},"code":"E0001"}]}}
# Replace the ")" (UTF-8 columns 15-16) after the astral character.
--> {"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///w/e.iml","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":15},"end":{"line":0,"character":16}},"text":"^ \"𝔸\""}]}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":2,"diagnostics":[]}}
--> {"jsonrpc":"2.0","id":2,"method":"textDocument/selectionRange","params":{"textDocument":{"uri":"file:///w/e.iml"},"positions":[{"line":1,"character":9}]}}
<-- {"id":2,"result":[{"range":{"start":{"line":1,"character":8},"end":{"line":1,"character":9}}}]}
--> {"jsonrpc":"2.0","id":3,"method":"shutdown"}
<-- {"id":3,"result":null}
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 0
