/*
 * Detection of IntelliJ IDEA module files, which share the ".iml" extension
 * with IML sources.  Kept free of the vscode API so tests can load it in
 * plain Node.
 */

/* IntelliJ module files start with an XML declaration or a <module> element
 * (optionally after a byte-order mark).  IML source never starts with "<". */
const XML_FIRST_LINE = /^\ufeff?\s*<(\?xml|module[\s>/])/;

export function isXmlModuleText(firstLine: string): boolean {
  return XML_FIRST_LINE.test(firstLine);
}
