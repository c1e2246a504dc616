;;; emacs_syntax.el --- Emacs batch client test (eglot + flymake)  -*- lexical-binding: t -*-
;; Starts iml-lsp with eglot on a file with a syntax error, waits for the
;; flymake diagnostic, requests documentSymbol, fixes the error and waits for
;; the diagnostic to clear; then visits a file whose import is missing,
;; creates the imported file on disk behind the editor's back and waits for
;; the import diagnostic to clear (eglot's file watcher, registered by the
;; server, reports the new file). Run by test/clients/run.sh:
;;   IML_LSP_BIN=... IML_TEST_FILE=... emacs --batch -Q -l emacs_syntax.el
(require 'package)
(dolist (dir '("/usr/share/emacs/site-lisp/elpa" "/usr/share/emacs/site-lisp/elpa-src"))
  (when (file-directory-p dir) (add-to-list 'package-directory-list dir)))
(package-initialize)
(require 'eglot)
(require 'flymake)

(defun iml-test--say (fmt &rest args)
  (princ (concat "emacs: " (apply #'format fmt args) "\n")))

(defun iml-test--wait (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline))
      (accept-process-output nil 0.05)
      (read-event nil nil 0.01) ; file-notify events (eglot's file watcher) arrive as input events
      (flymake-start))
    (funcall pred)))

(condition-case err
    (let* ((bin (or (getenv "IML_LSP_BIN") (error "IML_LSP_BIN not set")))
           (file (or (getenv "IML_TEST_FILE") (error "IML_TEST_FILE not set")))
           (xml (or (getenv "IML_TEST_XML") (error "IML_TEST_XML not set")))
           (eglot-sync-connect t)
           (eglot-send-changes-idle-time 0.1))
      ;; The set-up users install: editors/emacs/iml-mode.el.
      (add-to-list 'load-path (or (getenv "IML_EMACS_DIR") (error "IML_EMACS_DIR not set")))
      (require 'iml-mode)
      (setq iml-lsp-program bin)
      (find-file xml)
      (when (eq major-mode 'iml-mode) (error "XML .iml file opened in iml-mode"))
      (iml-test--say "XML .iml file: %s, not iml-mode" major-mode)
      (find-file file)
      (unless (eq major-mode 'iml-mode) (error "sample.iml opened in %s" major-mode))
      ;; Start eglot exactly as M-x eglot would, from eglot-server-programs.
      (apply #'eglot (eglot--guess-contact))
      (unless (eglot-current-server) (error "eglot did not connect"))
      (iml-test--say "eglot connected through iml-mode's registration")
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
      (let ((server (eglot-current-server))
            (missing (or (getenv "IML_TEST_MISSING") (error "IML_TEST_MISSING not set"))))
        (find-file (or (getenv "IML_TEST_IMPORTER") (error "IML_TEST_IMPORTER not set")))
        (unless (eq (eglot-current-server) server) (error "the importer is not managed by the same server"))
        (unless (iml-test--wait (lambda () (flymake-diagnostics)) 15)
          (error "no diagnostic for the missing import"))
        (let ((text (flymake-diagnostic-text (car (flymake-diagnostics)))))
          (iml-test--say "importer: %s" text)
          (unless (string-match-p "cannot find `helper.iml`" text) (error "unexpected message")))
        (with-temp-buffer
          (insert "let x = 41\n")
          (write-region (point-min) (point-max) missing))
        (unless (iml-test--wait (lambda () (null (flymake-diagnostics))) 15)
          (error "the importer's diagnostic was not cleared after the file was created"))
        (iml-test--say "importer's diagnostic cleared after helper.iml appeared on disk"))
      (eglot-shutdown (eglot-current-server))
      (iml-test--say "PASS")
      (kill-emacs 0))
  (error (iml-test--say "FAIL: %s" (error-message-string err))
         (kill-emacs 1)))
