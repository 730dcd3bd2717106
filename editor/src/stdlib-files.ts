/** The template library's files by template name, bundled so `import … from stdlib` works offline. */
const templateFiles = import.meta.glob<string>("../../stdlib/templates/*.obc", { query: "?raw", import: "default", eager: true });

export const stdlibFiles: Record<string, string> = Object.fromEntries(
  Object.entries(templateFiles).map(([path, text]) => [path.slice(path.lastIndexOf("/") + 1, -".obc".length), text]),
);
