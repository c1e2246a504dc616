;;; emacs_syntax.el --- Emacs batch client test (eglot + flymake)  -*- lexical-binding: t -*-
;; Starts iml-lsp with eglot on a file with a syntax error, waits for the
;; flymake diagnostic, requests documentSymbol, fixes the error and waits for
;; the diagnostic to clear. Run by test/clients/run.sh:
;;   IML_LSP_BIN=... IML_TEST_FILE=... emacs --batch -Q -l emacs_syntax.el
(require 'package)
(dolist (dir '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
  (when (file-directory-p dir) (add-to-list 'package-directory-list dir)))
(package-initialize)
(require 'eglot)
(require 'flymake)

(define-derived-mode iml-mode prog-mode "IML"
  (setq-local comment-start "(* ")
  (setq-local comment-end " *)"))

(defun iml-test--say (fmt &rest args)
  (princ (concat "emacs: " (apply #'format fmt args) "\n")))

(defun iml-test--wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (flymake-start))
    (funcall pred)))

(condition-case err
    (let* ((bin (or (getenv "IML_LSP_BIN") (error "IML_LSP_BIN not set")))
           (file (or (getenv "IML_TEST_FILE") (error "IML_TEST_FILE not set")))
           (eglot-sync-connect t)
           (eglot-send-changes-idle-time 0.1))
      (find-file file)
      (iml-mode)
      (eglot (list 'iml-mode) (cons 'transient (file-name-directory file)) 'eglot-lsp-server (list bin) "iml")
      (unless (eglot-current-server) (error "eglot did not connect"))
      (unless (iml-test--wait (lambda () (flymake-diagnostics)) 15)
        (error "no flymake diagnostic for the syntax error"))
      (let ((d (car (flymake-diagnostics))))
        (iml-test--say "diagnostic at line %d: %s" (line-number-at-pos (flymake-diagnostic-beg d))
                       (flymake-diagnostic-text d))
        (unless (= 2 (line-number-at-pos (flymake-diagnostic-beg d)))
          (error "diagnostic on the wrong line")))
      (let* ((syms (jsonrpc-request (eglot-current-server) :textDocument/documentSymbol
                                    `(:textDocument ,(eglot--TextDocumentIdentifier))))
             (names (mapcar (lambda (s) (plist-get s :name)) syms)))
        (iml-test--say "symbols: %s" (string-join names ", "))
        (unless (equal names '("color" "broken" "lemma_one")) (error "unexpected symbols")))
      (goto-char (point-min))
      (forward-line 1)
      (delete-region (line-beginning-position) (line-end-position))
      (insert "let broken x = x + 1")
      (eglot--signal-textDocument/didChange)
      (unless (iml-test--wait (lambda () (null (flymake-diagnostics))) 15)
        (error "diagnostic not cleared after the fix"))
      (iml-test--say "diagnostic cleared after the fix")
      (eglot-shutdown (eglot-current-server))
      (iml-test--say "PASS")
      (kill-emacs 0))
  (error (iml-test--say "FAIL: %s" (error-message-string err))
         (kill-emacs 1)))
