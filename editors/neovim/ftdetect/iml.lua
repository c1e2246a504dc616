-- Filetype detection for IML (*.iml). IntelliJ also writes *.iml files
-- (XML module descriptions); those are left alone.
vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
  pattern = "*.iml",
  callback = function(args)
    local first = vim.api.nvim_buf_get_lines(args.buf, 0, 1, false)[1] or ""
    if first:match("^%s*<%?xml") or first:match("^%s*<module[%s>]") then
      vim.bo[args.buf].filetype = "xml"
      return
    end
    vim.bo[args.buf].filetype = "iml"
  end,
})
