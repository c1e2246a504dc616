;;; iml-mode.el --- Major mode and LSP set-up for IML  -*- lexical-binding: t -*-

;; Version: 0.1.0
;; Keywords: languages
;; URL: see the iml-lsp README

;;; Commentary:

;; IML: OCaml syntax plus theorem/lemma/axiom/verify/instance/eval.
;; This file gives `iml-mode' (derived from `tuareg-mode' when installed,
;; else from `prog-mode'), registers it for *.iml files that are not
;; IntelliJ's XML module files, and registers the iml-lsp server with
;; eglot and lsp-mode.
;;
;;   (add-to-list 'load-path "/path/to/iml-lsp/editors/emacs")
;;   (require 'iml-mode)
;;   (setq iml-lsp-program "/path/to/iml-lsp/build/iml-lsp")
;;   ;; then M-x eglot (or M-x lsp) in an .iml buffer

;;; Code:

(require 'tuareg nil t)

(defgroup iml nil "IML specification language." :group 'languages)

(defcustom iml-lsp-program "iml-lsp"
  "The iml-lsp executable (a name on `exec-path' or an absolute file name)."
  :type 'string)

(defcustom iml-lsp-args nil
  "Extra arguments for `iml-lsp-program', e.g. (\"--log-file\" \"/tmp/iml.log\")."
  :type '(repeat string))

(defconst iml-spec-keywords
  '("theorem" "lemma" "axiom" "verify" "instance" "eval" "test" "qcheck"))

(defconst iml-ocaml-keywords
  '("and" "as" "begin" "else" "end" "fun" "function" "if" "in" "include"
    "let" "match" "module" "of" "open" "rec" "sig" "struct" "then" "type"
    "val" "when" "with"))

(defvar iml-mode-syntax-table
  (let ((st (make-syntax-table)))
    ;; (* … *) comments, nestable.
    (modify-syntax-entry ?\( "()1n" st)
    (modify-syntax-entry ?* ". 23n" st)
    (modify-syntax-entry ?\) ")(4n" st)
    (modify-syntax-entry ?_ "_" st)
    (modify-syntax-entry ?' "_" st)
    (modify-syntax-entry ?\" "\"" st)
    st)
  "Syntax table of `iml-mode'.")

(defvar iml-font-lock-keywords
  `((,(regexp-opt iml-spec-keywords 'symbols) . font-lock-keyword-face)
    (,(regexp-opt iml-ocaml-keywords 'symbols) . font-lock-keyword-face)
    ("\\[@@?@?[^]]*\\]" . font-lock-preprocessor-face)
    ("==>\\|<==>\\|<==" . font-lock-builtin-face)
    (,(concat (regexp-opt '("theorem" "lemma" "axiom" "let" "rec") 'symbols)
              "\\s-+\\(\\(?:\\sw\\|\\s_\\)+\\)")
     2 font-lock-function-name-face))
  "Highlighting for `iml-mode'.")

(defalias 'iml--parent-mode (if (fboundp 'tuareg-mode) 'tuareg-mode 'prog-mode))

;;;###autoload
(define-derived-mode iml-mode iml--parent-mode "IML"
  "Major mode for IML specifications."
  :syntax-table iml-mode-syntax-table
  (setq-local comment-start "(* ")
  (setq-local comment-end " *)")
  (setq-local comment-start-skip "(\\*+[ \t]*")
  (font-lock-add-keywords nil iml-font-lock-keywords))

(defun iml--xml-file-p ()
  "Non-nil when the current buffer looks like an IntelliJ XML module file."
  (save-excursion
    (goto-char (point-min))
    (skip-chars-forward " \t\r\n")
    (looking-at-p "<\\?xml\\|<module[ \t>]")))

;;;###autoload
(defun iml-mode-maybe ()
  "Use `iml-mode', unless the .iml file is an XML module file."
  (if (iml--xml-file-p)
      (if (fboundp 'nxml-mode) (nxml-mode) (fundamental-mode))
    (iml-mode)))

;;;###autoload
(add-to-list 'auto-mode-alist '("\\.iml\\'" . iml-mode-maybe))

(defun iml--server-command (&rest _)
  "The command line of the server."
  (cons iml-lsp-program iml-lsp-args))

(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs '(iml-mode . iml--server-command)))

(with-eval-after-load 'lsp-mode
  (when (fboundp 'lsp-register-client)
    (add-to-list 'lsp-language-id-configuration '(iml-mode . "iml"))
    (lsp-register-client
     (make-lsp-client
      :new-connection (lsp-stdio-connection #'iml--server-command)
      :activation-fn (lsp-activate-on "iml")
      :server-id 'iml-lsp))))

(provide 'iml-mode)
;;; iml-mode.el ends here
