-- Neovim (0.7+) headless client test: start iml-lsp with the built-in LSP
-- client, see a syntax error, list document symbols, fix the error, see the
-- diagnostic cleared; then open a file whose import is missing, create the
-- imported file in the editor (:edit, :write) and see the import diagnostic
-- of the importer cleared. Run by test/clients/run.sh:
--   IML_LSP_BIN=... IML_TEST_FILE=... nvim --headless -u NONE -S nvim_syntax.lua
local function out(msg) io.stdout:write("nvim: " .. msg .. "\n") end

local ok, err = pcall(function()
  local bin = assert(os.getenv("IML_LSP_BIN"), "IML_LSP_BIN not set")
  local file = assert(os.getenv("IML_TEST_FILE"), "IML_TEST_FILE not set")
  local xml = assert(os.getenv("IML_TEST_XML"), "IML_TEST_XML not set")
  local plugin = assert(os.getenv("IML_NVIM_PLUGIN"), "IML_NVIM_PLUGIN not set")
  -- The set-up users install: editors/neovim on the runtimepath.
  vim.opt.runtimepath:append(plugin)
  vim.cmd("runtime! ftdetect/iml.lua")
  require("iml_lsp").setup({ cmd = { bin } })

  -- An IntelliJ XML module file is not claimed.
  vim.cmd("edit " .. vim.fn.fnameescape(xml))
  assert(vim.bo.filetype ~= "iml", "XML .iml file detected as iml")
  out("XML .iml file: filetype '" .. vim.bo.filetype .. "', not iml")

  vim.cmd("edit " .. vim.fn.fnameescape(file))
  assert(vim.bo.filetype == "iml", "filetype is '" .. vim.bo.filetype .. "', expected iml")
  assert(vim.wait(15000, function() return #vim.lsp.buf_get_clients(0) > 0 end, 50), "client did not attach")
  local client_id = vim.lsp.buf_get_clients(0)[1].id
  assert(#vim.lsp.get_active_clients() == 1, "expected exactly one client (none for the XML file)")
  out("client attached through editors/neovim")

  assert(vim.wait(15000, function() return #vim.diagnostic.get(0) > 0 end, 50),
         "no diagnostic for the syntax error")
  local d = vim.diagnostic.get(0)[1]
  out(string.format("diagnostic at %d:%d: %s", d.lnum + 1, d.col + 1, d.message))
  assert(d.lnum == 1, "diagnostic on line " .. (d.lnum + 1) .. ", expected 2")

  local params = { textDocument = vim.lsp.util.make_text_document_params() }
  local res = vim.lsp.buf_request_sync(0, "textDocument/documentSymbol", params, 10000)
  assert(res and res[client_id] and res[client_id].result, "no documentSymbol result")
  local names = {}
  for _, s in ipairs(res[client_id].result) do table.insert(names, s.name) end
  out("symbols: " .. table.concat(names, ", "))
  assert(table.concat(names, ",") == "color,broken,lemma_one", "unexpected symbols")

  -- Fix the error by editing the buffer (incremental didChange).
  vim.api.nvim_buf_set_lines(0, 1, 2, false, { "let broken x = x + 1" })
  assert(vim.wait(15000, function() return #vim.diagnostic.get(0) == 0 end, 50),
         "diagnostic not cleared after the fix")
  out("diagnostic cleared after the fix")

  -- A missing import, then the user creates the file in the editor.
  local importer = assert(os.getenv("IML_TEST_IMPORTER"), "IML_TEST_IMPORTER not set")
  local missing = assert(os.getenv("IML_TEST_MISSING"), "IML_TEST_MISSING not set")
  vim.cmd("edit " .. vim.fn.fnameescape(importer))
  local main_buf = vim.api.nvim_get_current_buf()
  assert(vim.wait(15000, function() return #vim.diagnostic.get(main_buf) > 0 end, 50),
         "no diagnostic for the missing import")
  local md = vim.diagnostic.get(main_buf)[1]
  out(string.format("importer: %d:%d: %s", md.lnum + 1, md.col + 1, md.message))
  assert(md.message:find("cannot find `helper.iml`", 1, true), "unexpected message: " .. md.message)
  vim.cmd("edit " .. vim.fn.fnameescape(missing))
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { "let x = 41" })
  vim.cmd("write")
  assert(vim.wait(15000, function() return #vim.diagnostic.get(main_buf) == 0 end, 50),
         "the importer's diagnostic was not cleared after the file was created")
  out("importer's diagnostic cleared after helper.iml was written")

  -- Types: a type error appears with OCaml's wording; hover shows a
  -- polymorphic function's type at a use; definition jumps into the
  -- imported file; fixing the error clears it.
  vim.cmd("buffer " .. main_buf)
  vim.api.nvim_buf_set_lines(main_buf, 1, -1, false,
    { "let y = Helper.x + 1", "let n = List.length [1; 2]", "let z = y + \"a\"" })
  assert(vim.wait(15000, function()
    for _, dd in ipairs(vim.diagnostic.get(main_buf)) do
      if dd.message:find("This expression has type string but an expression was expected of type int", 1, true) then return true end
    end
    return false
  end, 50), "no type error shown")
  out("type error: " .. vim.diagnostic.get(main_buf)[1].message)
  local function at(line, col)
    return { textDocument = vim.lsp.util.make_text_document_params(main_buf), position = { line = line, character = col } }
  end
  local h = vim.lsp.buf_request_sync(main_buf, "textDocument/hover", at(2, 15), 10000)
  local hv = h and h[client_id] and h[client_id].result
  assert(hv and hv.contents.value:find("List.length : int list -> int", 1, true), "hover: " .. vim.inspect(hv))
  out("hover on List.length: int list -> int")
  local dres = vim.lsp.buf_request_sync(main_buf, "textDocument/definition", at(1, 15), 10000)
  local def = dres and dres[client_id] and dres[client_id].result
  if def and def[1] then def = def[1] end
  assert(def and def.uri:find("helper.iml$"), "definition: " .. vim.inspect(def))
  out("definition of Helper.x: " .. def.uri:match("[^/]+$") .. ":" .. (def.range.start.line + 1))
  vim.api.nvim_buf_set_lines(main_buf, 3, 4, false, { "let z = y + 2" })
  assert(vim.wait(15000, function() return #vim.diagnostic.get(main_buf) == 0 end, 50), "type error not cleared")
  out("type error cleared after the fix")
  vim.lsp.stop_client(client_id)
end)

if ok then
  out("PASS")
  vim.cmd("qall!")
else
  out("FAIL: " .. tostring(err))
  vim.cmd("cquit 1")
end
