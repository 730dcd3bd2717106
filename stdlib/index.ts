/**
 * The template library: its version and a browser-safe resolver over template texts.
 *
 * Templates live in `stdlib/templates/<name>.obc`, one template per file, the file name
 * equal to the template's name. A contract imports them with `import NAME from stdlib`.
 * The Node resolver (`node-resolver.ts`) reads them from disk; the editor bundles them.
 */
import type { Resolver, TemplateSource } from "../language/templates/expand.ts";

/** The version of the library; a contract may pin it with `import x from stdlib version "1"`. */
export const STDLIB_VERSION = "1.0";

/** A resolver over in-memory texts: the library by name, and project files by normalised path. */
export function memoryResolver(library: Record<string, string>, project: Record<string, string> = {}): Resolver {
  const names = Object.keys(library).sort();
  return {
    stdlibVersion: STDLIB_VERSION,
    stdlibNames: () => names,
    stdlib: (name): TemplateSource | undefined =>
      library[name] === undefined ? undefined : { key: `stdlib:${name}`, label: `stdlib/templates/${name}.obc`, text: library[name]! },
    relative: (path, fromKey) => {
      const base = fromKey && !fromKey.startsWith("stdlib:") ? fromKey.split("/").slice(0, -1) : [];
      const parts = [...base];
      for (const seg of path.split("/")) {
        if (seg === "" || seg === ".") continue;
        if (seg === "..") {
          if (parts.length === 0) return "escape";
          parts.pop();
        } else parts.push(seg);
      }
      let key = parts.join("/");
      if (!key.endsWith(".obc")) key += ".obc";
      const text = project[key];
      return text === undefined ? undefined : { key, label: key, text };
    },
  };
}
