/** How the editor's services compile a text: the contract sits at the root of its project. */
import { compileSource } from "../../../language/driver.ts";
import { memoryResolver } from "../../../stdlib/index.ts";
import type { ProjectFiles } from "./protocol.ts";

export type Compiled = ReturnType<typeof compileSource>;

/**
 * A compiler for texts of the editor.
 * @param library the template library (`stdlib/templates`) by template name, for `import … from stdlib`
 */
export function compilerFor(library: Record<string, string>): (text: string, fileName?: string, project?: ProjectFiles) => Compiled {
  // relative imports resolve against the project's other files
  return (text, fileName = "contract.obc", project = {}) => compileSource(text, { resolver: memoryResolver(library, project), fileKey: fileName });
}

/** "3 errors: fix them before …" */
export function errorCount(compiled: Compiled): number {
  return compiled.diagnostics.filter((d) => d.severity === "error").length;
}
