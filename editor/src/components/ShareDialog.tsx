/** The share link of the contract, to copy: the contract travels inside the link itself. */
import { useId, useState } from "react";
import { LONG_LINK } from "../share.ts";
import { Dialog } from "./Dialog.tsx";

export function ShareDialog({ link, onClose }: { link: string; onClose: () => void }) {
  const id = useId();
  const [copied, setCopied] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      setCopied("Copied.");
    } catch {
      setCopied("The browser did not allow copying: select the link and copy it.");
    }
  };
  return (
    <Dialog
      title="Share this contract"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>Close</button>
          <button type="button" className="primary" autoFocus onClick={() => void copy()}>Copy link</button>
        </>
      }
    >
      <label htmlFor={id}>Link to this contract</label>
      <input id={id} className="share-link" type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} data-testid="share-link" />
      <p className="small">
        The contract is inside the link itself, compressed, after the <code>#</code>: nothing is sent to any server or kept
        anywhere else. Whoever opens the link sees this text in their own editor.
        {link.length > LONG_LINK && ` This link is ${link.length.toLocaleString("en-US")} characters long: some mail and chat programs cut long links; send the .obc file instead.`}
      </p>
      <p className="small" role="status">{copied}</p>
    </Dialog>
  );
}
