/**
 * The Node resolver for templates: the library from this package's `stdlib/templates/`,
 * and project templates by a path relative to the importing file, never outside the folder
 * of the contract being checked (no `..` escapes, no absolute paths, no symbolic-link exits).
 */
import { existsSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { Resolver, TemplateSource } from "../language/templates/expand.ts";
import { STDLIB_VERSION } from "./index.ts";

export const STDLIB_DIR = join(dirname(fileURLToPath(import.meta.url)), "templates");

export function libraryNames(dir = STDLIB_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".obc")).map((f) => f.slice(0, -4)).sort();
}

/** A resolver for the contract at `contractPath` (its folder is the root that imports may not leave). */
export function nodeResolver(contractPath: string, libraryDir = STDLIB_DIR): Resolver {
  const root = realpathSync(dirname(resolve(contractPath)));
  return {
    stdlibVersion: STDLIB_VERSION,
    stdlibNames: () => libraryNames(libraryDir),
    stdlib: (name): TemplateSource | undefined => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return undefined;
      const file = join(libraryDir, `${name}.obc`);
      if (!existsSync(file)) return undefined;
      return { key: `stdlib:${name}`, label: `stdlib/templates/${name}.obc`, text: readFileSync(file, "utf8") };
    },
    relative: (path, fromKey) => {
      if (isAbsolute(path)) return "escape";
      const base = fromKey && !fromKey.startsWith("stdlib:") ? dirname(fromKey) : root;
      let file = resolve(base, path);
      if (!file.endsWith(".obc")) file += ".obc";
      const inside = (p: string) => p === root || p.startsWith(root + sep);
      if (!inside(file)) return "escape";
      if (!existsSync(file)) return undefined;
      const real = realpathSync(file);
      if (!inside(real)) return "escape";
      return { key: real, label: relative(root, real) || real, text: readFileSync(real, "utf8") };
    },
  };
}
