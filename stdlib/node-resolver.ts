/**
 * The Node resolver for templates: the library from this package's `stdlib/templates/`,
 * and project templates by a path relative to the importing file, never outside the folder
 * of the contract being checked (no `..` escapes, no absolute paths, no symbolic-link exits).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_SOURCE_LENGTH } from "../language/limits.ts";
import type { ImportRefusal, Resolver, TemplateSource } from "../language/templates/expand.ts";
import { STDLIB_VERSION } from "./index.ts";

/**
 * Why a file may not be read as a template, or undefined when it may: only regular files are
 * opened (opening a named pipe or a device could wait forever), and none larger than a
 * contract may be (a UTF-8 character is at most 4 bytes).
 */
function refusal(stats: Stats): ImportRefusal | undefined {
  if (stats.isDirectory()) return { refused: "a folder" };
  if (stats.isFIFO()) return { refused: "a named pipe" };
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return { refused: "a device" };
  if (stats.isSocket()) return { refused: "a socket" };
  if (!stats.isFile()) return { refused: "not a regular file" };
  if (stats.size > 4 * MAX_SOURCE_LENGTH) return { refused: `larger than ${MAX_SOURCE_LENGTH / (1024 * 1024)} MB` };
  return undefined;
}

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
      try {
        const real = realpathSync(file);
        if (!inside(real)) return "escape";
        const refused = refusal(statSync(real));
        if (refused) return refused;
        return { key: real, label: relative(root, real) || real, text: readFileSync(real, "utf8") };
      } catch {
        // a file that vanished, or that we may not read
        return { refused: "a file that cannot be read" };
      }
    },
  };
}
