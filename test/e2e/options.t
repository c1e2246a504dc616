# initializationOptions size the pools; a bad value is reported, not fatal.
%% args --log-level info
--> {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{},"initializationOptions":{"queryThreads":1,"backgroundThreads":"many"}}}
<-- {"id":1,"result":{"capabilities":"$any"}}
<~~ {"method":"window/logMessage","params":{"type":2,"message":"initializationOptions.backgroundThreads must be an integer in 1..256; keeping $any"}}
--> {"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///w/o.iml","languageId":"iml","version":1,"text":"let a = 1\n"}}}
<-- {"method":"textDocument/publishDiagnostics","params":{"version":1,"diagnostics":[]}}
--> {"jsonrpc":"2.0","id":2,"method":"textDocument/foldingRange","params":{"textDocument":{"uri":"file:///w/o.iml"}}}
<-- {"id":2,"result":[]}
--> {"jsonrpc":"2.0","id":3,"method":"shutdown"}
<-- {"id":3,"result":null}
--> {"jsonrpc":"2.0","method":"exit"}
%% exit 0
