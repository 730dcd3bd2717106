/**
 * A modal dialog (the browser's <dialog>): focus moves into it and stays there, Escape
 * closes it, and focus returns to where it was. Used to confirm before another contract
 * replaces the one in the editor, and to show a share link.
 */
import { useEffect, useRef, type ReactNode } from "react";

export interface DialogProps {
  title: string;
  children: ReactNode;
  /** the buttons, last the default one */
  actions: ReactNode;
  onClose: () => void;
}

export function Dialog({ title, children, actions, onClose }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const before = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      before?.focus();
    };
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onCancel={(e) => (e.preventDefault(), onClose())}>
      <h2 id="dialog-title">{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="dialog-actions">{actions}</div>
    </dialog>
  );
}

export interface ConfirmRequest {
  title: string;
  message: string;
  /** the label of the button that goes ahead, e.g. "Open it" */
  confirm: string;
  resolve: (ok: boolean) => void;
}

export function ConfirmDialog({ request }: { request: ConfirmRequest }) {
  return (
    <Dialog
      title={request.title}
      onClose={() => request.resolve(false)}
      actions={
        <>
          <button type="button" onClick={() => request.resolve(false)}>Cancel</button>
          <button type="button" className="primary" autoFocus onClick={() => request.resolve(true)}>{request.confirm}</button>
        </>
      }
    >
      <p>{request.message}</p>
    </Dialog>
  );
}
