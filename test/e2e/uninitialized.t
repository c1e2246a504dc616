# Requests before initialize get -32002; notifications are dropped; exit
# without shutdown exits with status 1.
--> {"jsonrpc":"2.0","id":1,"method":"textDocument/documentSymbol","params":{"textDocument":{"uri":"file:///x.iml"}}}
<-- {"id":1,"error":{"code":-32002}}
--> {"jsonrpc":"2.0","id":2,"method":"shutdown"}
<-- {"id":2,"error":{"code":-32002}}
--> {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///x.iml","languageId":"iml","version":1,"text":"let x = (1"}}}
%% quiet 300
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 1
