/**
 * The repository's example contracts (`examples/<dir>/*.obc`), bundled into the app with
 * Vite's `?raw` imports so "start from an example" works offline. Their data sets are in
 * example-data.ts (loaded with the Run panel).
 */
const files = import.meta.glob<string>("../../examples/*/*.obc", { query: "?raw", import: "default", eager: true });
/** template files in sub-folders, for `import … from "./clauses/…"` */
const nested = import.meta.glob<string>("../../examples/*/*/*.obc", { query: "?raw", import: "default", eager: true });

export interface ExampleContract {
  /** "03-algebra-pilot/contract.obc" */
  id: string;
  /** the example directory, which is also its data set's id */
  dir: string;
  fileName: string;
  /** the contract's title, from its first line `contract "…"` */
  title: string;
  text: string;
  /** the other .obc files of its folder, by path relative to it */
  project: Record<string, string>;
}

export function split(path: string): { dir: string; file: string } {
  const parts = path.split("/");
  return { dir: parts[parts.length - 2]!, file: parts[parts.length - 1]! };
}

function titleOf(text: string, fallback: string): string {
  return /contract\s+"([^"]*)"/.exec(text)?.[1] ?? fallback;
}

const paths = Object.keys(files).sort();

const EXAMPLES = "../../examples/";

/** Every other .obc file under an example's folder, keyed by its path inside the folder. */
function projectOf(dir: string, self: string): Record<string, string> {
  const all = { ...files, ...nested };
  const prefix = `${EXAMPLES}${dir}/`;
  return Object.fromEntries(
    Object.keys(all)
      .filter((p) => p.startsWith(prefix) && p.endsWith(".obc") && p !== `${prefix}${self}`)
      .map((p) => [p.slice(prefix.length), all[p]!]),
  );
}

export const exampleContracts: readonly ExampleContract[] = paths
  .filter((p) => p.endsWith(".obc"))
  .map((p) => {
    const { dir, file } = split(p);
    const text = files[p]!;
    return { id: `${dir}/${file}`, dir, fileName: file, title: titleOf(text, file), text, project: projectOf(dir, file) };
  });

export function findExample(id: string): ExampleContract | undefined {
  return exampleContracts.find((e) => e.id === id);
}

/** The contract the editor opens with. */
export const defaultExample: ExampleContract | undefined = findExample("03-algebra-pilot/contract.obc") ?? exampleContracts[0];
