/*
 * VS Code client for iml-lsp.
 *
 * Starts the iml-lsp binary over stdio with vscode-languageclient, forwards
 * settings as command-line flags / initializationOptions, and shows the
 * server state in a status bar item.
 *
 * IntelliJ also uses the ".iml" extension for its XML module files.  VS Code
 * cannot express "claim *.iml unless the first line looks like XML" in the
 * manifest (firstLine only adds matches), so on open we detect XML content and
 * hand the document back to the "xml" language; the document selector and the
 * didOpen middleware make sure such files never reach the server.
 */
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  TransportKind,
  Trace,
} from "vscode-languageclient/node";
import { isXmlModuleText } from "./xmlDetect";

const LANGUAGE_ID = "iml";

let client: LanguageClient | undefined;
let statusItem: vscode.StatusBarItem | undefined;
let outputChannel: vscode.OutputChannel | undefined;
let traceChannel: vscode.OutputChannel | undefined;

function isXmlModuleDocument(doc: vscode.TextDocument): boolean {
  return doc.lineCount > 0 && isXmlModuleText(doc.lineAt(0).text);
}

/* Gives IntelliJ XML .iml files back to the XML language (if it is installed). */
async function reclaimXml(doc: vscode.TextDocument): Promise<void> {
  if (doc.languageId !== LANGUAGE_ID || !isXmlModuleDocument(doc)) return;
  try {
    await vscode.languages.setTextDocumentLanguage(doc, "xml");
  } catch {
    try {
      await vscode.languages.setTextDocumentLanguage(doc, "plaintext");
    } catch {
      /* document already closed: nothing to do */
    }
  }
}

function resolvePath(p: string): string {
  if (path.isAbsolute(p) || !p.includes(path.sep) && !p.includes("/")) {
    return p; /* absolute, or a bare command name looked up on PATH */
  }
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.resolve(folder.uri.fsPath, p) : path.resolve(p);
}

function resolveDir(p: string): string {
  if (path.isAbsolute(p)) return p;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder ? path.resolve(folder.uri.fsPath, p) : path.resolve(p);
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === "number" && Number.isInteger(v) && v > 0 ? v : undefined;
}

function setStatus(state: "starting" | "ready" | "crashed" | "stopped"): void {
  if (!statusItem) return;
  switch (state) {
    case "starting":
      statusItem.text = "$(sync~spin) IML: starting";
      statusItem.tooltip = "iml-lsp is starting";
      statusItem.command = "iml.showOutput";
      statusItem.backgroundColor = undefined;
      break;
    case "ready":
      statusItem.text = "$(check) IML: ready";
      statusItem.tooltip = "iml-lsp is running — click to show its output";
      statusItem.command = "iml.showOutput";
      statusItem.backgroundColor = undefined;
      break;
    case "crashed":
    case "stopped":
      statusItem.text = "$(error) IML: crashed — click to restart";
      statusItem.tooltip = "iml-lsp is not running — click to restart it";
      statusItem.command = "iml.restartServer";
      statusItem.backgroundColor = new vscode.ThemeColor("statusBarItem.errorBackground");
      break;
  }
  statusItem.show();
}

function createClient(): LanguageClient {
  const cfg = vscode.workspace.getConfiguration("iml");
  const command = resolvePath(cfg.get<string>("server.path", "iml-lsp") || "iml-lsp");
  const args = cfg.get<string[]>("server.args", []).filter((a) => typeof a === "string");
  const queryThreads = positiveInt(cfg.get("server.queryThreads"));
  const backgroundThreads = positiveInt(cfg.get("server.backgroundThreads"));
  const includePaths = cfg.get<string[]>("includePaths", []).filter((a) => typeof a === "string").map(resolveDir);

  const initializationOptions: Record<string, unknown> = { includePaths };
  if (queryThreads !== undefined) initializationOptions.queryThreads = queryThreads;
  if (backgroundThreads !== undefined) initializationOptions.backgroundThreads = backgroundThreads;

  const serverOptions: ServerOptions = {
    run: { command, args, transport: TransportKind.stdio },
    debug: { command, args: [...args, "--log-level", "debug"], transport: TransportKind.stdio },
  };

  const clientOptions: LanguageClientOptions = {
    /* Only real IML documents: XML module files are filtered out below too. */
    documentSelector: [
      { scheme: "file", language: LANGUAGE_ID },
      { scheme: "untitled", language: LANGUAGE_ID },
    ],
    initializationOptions,
    outputChannel,
    traceOutputChannel: traceChannel,
    middleware: {
      didOpen: (doc, next) => (isXmlModuleDocument(doc) ? Promise.resolve() : next(doc)),
      didChange: (ev, next) => (isXmlModuleDocument(ev.document) ? Promise.resolve() : next(ev)),
      didClose: (doc, next) => (isXmlModuleDocument(doc) ? Promise.resolve() : next(doc)),
    },
  };

  const c = new LanguageClient("iml", "IML Language Server", serverOptions, clientOptions);
  c.onDidChangeState((e) => {
    if (c !== client) return; /* an old client being torn down */
    if (e.newState === State.Starting) setStatus("starting");
    else if (e.newState === State.Running) setStatus("ready");
    else setStatus("crashed");
  });
  return c;
}

async function startClient(): Promise<void> {
  client = createClient();
  setStatus("starting");
  try {
    await client.start();
    applyTrace();
  } catch (err) {
    setStatus("crashed");
    outputChannel?.appendLine(`iml-lsp failed to start: ${String(err)}`);
    void vscode.window
      .showErrorMessage(
        `IML: could not start the language server (${String(err)}). Check the "iml.server.path" setting.`,
        "Show Output",
      )
      .then((choice) => {
        if (choice) outputChannel?.show(true);
      });
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(2000);
    } catch {
      /* the server may already be dead */
    }
    await c.dispose().then(undefined, () => undefined);
  }
}

function applyTrace(): void {
  if (!client) return;
  const v = vscode.workspace.getConfiguration("iml").get<string>("trace.server", "off");
  void client.setTrace(Trace.fromString(v)).then(undefined, () => undefined);
}

async function restart(): Promise<void> {
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  outputChannel = vscode.window.createOutputChannel("IML Language Server");
  traceChannel = vscode.window.createOutputChannel("IML Language Server Trace");
  statusItem = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left, 0);
  statusItem.name = "IML Language Server";
  context.subscriptions.push(outputChannel, traceChannel, statusItem);

  context.subscriptions.push(
    vscode.commands.registerCommand("iml.restartServer", restart),
    vscode.commands.registerCommand("iml.showOutput", () => outputChannel?.show(true)),
    vscode.workspace.onDidOpenTextDocument((doc) => void reclaimXml(doc)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("iml.trace.server")) applyTrace();
      if (
        e.affectsConfiguration("iml.server") ||
        e.affectsConfiguration("iml.includePaths")
      ) {
        void vscode.window
          .showInformationMessage("IML server settings changed.", "Restart Server")
          .then((choice) => {
            if (choice) void restart();
          });
      }
    }),
  );
  for (const doc of vscode.workspace.textDocuments) void reclaimXml(doc);

  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
