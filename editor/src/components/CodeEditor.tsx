/** The Monaco editor, mounted once; its session is handed to the app. */
import { useEffect, useLayoutEffect, useRef } from "react";
import { EditorSession } from "../monaco/session.ts";
import type { ProjectFiles } from "../service/protocol.ts";
import type { AnalysisStore } from "../store.ts";
import type { LanguageClient } from "../worker-client.ts";

export interface CodeEditorProps {
  client: LanguageClient;
  store: AnalysisStore;
  initialText: string;
  fileName: string;
  project?: ProjectFiles;
  onReady: (session: EditorSession) => void;
  onCursor: (offset: number) => void;
  onNotice: (message: string) => void;
}

export function CodeEditor(props: CodeEditorProps) {
  const container = useRef<HTMLDivElement>(null);
  const latest = useRef(props);
  useLayoutEffect(() => {
    latest.current = props;
  });

  useEffect(() => {
    const session = new EditorSession(container.current!, {
      client: latest.current.client,
      store: latest.current.store,
      text: latest.current.initialText,
      fileName: latest.current.fileName,
      ...(latest.current.project ? { project: latest.current.project } : {}),
      onCursor: (offset) => latest.current.onCursor(offset),
      onNotice: (message) => latest.current.onNotice(message),
    });
    latest.current.onReady(session);
    return () => session.dispose();
  }, []);

  return <div className="code-editor" ref={container} />;
}
