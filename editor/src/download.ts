/** Saves a file the editor made (a contract, a summary, results) through the browser's download. */
export function download(name: string, content: string | Uint8Array, type = "text/plain;charset=utf-8"): void {
  const url = URL.createObjectURL(new Blob([content as BlobPart], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** "contract.obc" → "contract" */
export function baseName(fileName: string): string {
  return fileName.replace(/\.obc$/i, "") || "contract";
}
