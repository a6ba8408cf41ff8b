/**
 * Flow JSON out of the browser: as a downloaded file, or onto the system clipboard. Pretty-printed with four-space
 * indentation, as Node-RED's export writes it, so files diff the same. Browser-only.
 */

/** The flow JSON text of an export. */
export function flowJsonText(flows: unknown): string {
  return JSON.stringify(flows, null, 4);
}

/** Downloads `text` as a file named `fileName` (flows, thing models, device secrets; the app uses it too). */
export function downloadText(text: string, fileName: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  // In the document while clicked: some browsers ignore a click on a detached link.
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the click; the URL can go once the current task ends.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

/** Reads a file the user picked as text. */
export function readFileText(file: Blob): Promise<string> {
  return file.text();
}
