/** The examples' data files (`examples/<dir>/*.csv`), bundled with the Run panel. */
import { split } from "./examples.ts";

const files = import.meta.glob<string>("../../examples/*/*.csv", { query: "?raw", import: "default", eager: true });
const paths = Object.keys(files).sort();

export interface ExampleDataSet {
  /** the example directory */
  dir: string;
  files: { label: string; text: string }[];
}

export const exampleDataSets: readonly ExampleDataSet[] = [...new Set(paths.map((p) => split(p).dir))].map((dir) => ({
  dir,
  files: paths.filter((p) => split(p).dir === dir).map((p) => ({ label: split(p).file, text: files[p]! })),
}));
