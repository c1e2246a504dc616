-- iml-lsp for Neovim (0.7+): starts the server for every "iml" buffer and
-- reuses one client per project root.
--
--   require("iml_lsp").setup({
--     cmd = { "/path/to/iml-lsp" },          -- default: { "iml-lsp" }
--     root_markers = { ".git" },             -- default: { ".git", "dune-project" }
--     init_options = { backgroundThreads = 4 },
--   })
local M = {}

local defaults = {
  cmd = { "iml-lsp" },
  root_markers = { ".git", "dune-project" },
  init_options = {},
}

local clients = {} -- root_dir -> client id (Neovim 0.7 path)

local function find_root(fname, markers)
  local dir = vim.fn.fnamemodify(fname, ":p:h")
  for _, marker in ipairs(markers) do
    local found = vim.fn.finddir(marker, dir .. ";")
    if found == "" then found = vim.fn.findfile(marker, dir .. ";") end
    if found ~= "" then return vim.fn.fnamemodify(found, ":p:h:h") end
  end
  return dir
end

local function start(opts, bufnr)
  local root = find_root(vim.api.nvim_buf_get_name(bufnr), opts.root_markers)
  local config = {
    name = "iml-lsp",
    cmd = opts.cmd,
    root_dir = root,
    init_options = opts.init_options,
  }
  if vim.lsp.start then -- Neovim 0.8+
    vim.lsp.start(config, { bufnr = bufnr })
    return
  end
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client(config)
    clients[root] = id
  end
  if id then vim.lsp.buf_attach_client(bufnr, id) end
end

function M.setup(user)
  local opts = vim.tbl_deep_extend("force", defaults, user or {})
  local group = vim.api.nvim_create_augroup("iml_lsp", { clear = true })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = "iml",
    callback = function(args) start(opts, args.buf) end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "iml" then start(opts, buf) end
  end
end

return M
