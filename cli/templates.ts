/**
 * `obc templates [NAME]`: the template library on the command line.
 *
 * Without a name, lists the library: each template's name, version and one-line purpose.
 * With a name, prints that template's documentation, the same section as in docs/stdlib.md.
 * An unknown name gets a "did you mean" and exit code 2.
 */
import { didYouMean } from "../language/diagnostics/suggest.ts";
import { STDLIB_VERSION } from "../stdlib/index.ts";
import { libraryNames } from "../stdlib/node-resolver.ts";
import { oneLine, templateDoc, templateMarkdown } from "../stdlib/docs.ts";

export interface TemplatesIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

/** Runs `obc templates [NAME]`; returns the exit code (0, or 2 for an unknown name). */
export async function templatesCommand(name: string | undefined, io: TemplatesIO): Promise<number> {
  const names = libraryNames();
  if (name === undefined) {
    const docs = names.map((n) => templateDoc(n, { examples: false }));
    const width = Math.max(...docs.map((d) => d.name.length));
    const vwidth = Math.max(...docs.map((d) => d.version.length));
    io.stdout(`The OBC template library, version ${STDLIB_VERSION}: ${docs.length} templates.\n\n`);
    for (const d of docs) io.stdout(`  ${d.name.padEnd(width)}  ${d.version.padEnd(vwidth)}  ${oneLine(d.purpose)}\n`);
    io.stdout(`\nUse one with: import NAME from stdlib version "${STDLIB_VERSION.split(".")[0]}"\n`);
    io.stdout("Show one with: obc templates NAME\n");
    return 0;
  }
  if (!names.includes(name)) {
    const s = didYouMean(name, names);
    io.stderr(`obc templates: there is no template named '${name}' in the library.${s ? ` Did you mean '${s}'?` : ""}\n`);
    io.stderr("Run 'obc templates' to list the library.\n");
    return 2;
  }
  io.stdout(templateMarkdown(templateDoc(name)));
  return 0;
}
