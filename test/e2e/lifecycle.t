# initialize / initialized / shutdown / exit, and what happens around them.
--> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"rootUri":null,"capabilities":{}}}
<-- {"jsonrpc":"2.0","id":1,"result":{"capabilities":{"positionEncoding":"utf-16","textDocumentSync":{"openClose":true,"change":2},"documentSymbolProvider":true,"foldingRangeProvider":true,"selectionRangeProvider":true},"serverInfo":{"name":"iml-lsp","version":"$any"}}}
--> {"jsonrpc":"2.0","method":"initialized","params":{}}
# initialize twice is an invalid request
--> {"jsonrpc":"2.0","id":2,"method":"initialize","params":{"capabilities":{}}}
<-- {"id":2,"error":{"code":-32600}}
# unknown notifications are ignored, unknown requests are not
--> {"jsonrpc":"2.0","method":"$/somethingNew","params":{}}
--> {"jsonrpc":"2.0","id":"str-id","method":"textDocument/unheardOf","params":{}}
<-- {"id":"str-id","error":{"code":-32601,"message":"method not found: textDocument/unheardOf"}}
--> {"jsonrpc":"2.0","id":3,"method":"shutdown"}
<-- {"id":3,"result":null}
--> {"jsonrpc":"2.0","id":4,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///x.iml"}}}
<-- {"id":4,"error":{"code":-32600}}
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 0
