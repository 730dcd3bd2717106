/**
 * Share links: the contract itself, compressed (DEFLATE) and base64url-encoded, in the
 * fragment of the editor's address (`#obc=…&name=…`). Browsers never send the fragment to a
 * server: opening the link decodes it in the page.
 */
import { deflateSync, inflateSync, strFromU8, strToU8 } from "fflate";

/** Links longer than this many characters may be cut by some mail and chat programs. */
export const LONG_LINK = 8000;

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The address that opens this contract in the editor at `base` (the editor's address without its fragment). */
export function shareLink(base: string, text: string, fileName: string): string {
  return `${base}#obc=${toBase64Url(deflateSync(strToU8(text), { level: 9 }))}&name=${encodeURIComponent(fileName)}`;
}

/**
 * The contract in a fragment (`location.hash`): undefined when there is none, an error in
 * plain words when it cannot be read.
 */
export function readShareLink(hash: string): { text: string; fileName: string } | { error: string } | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const data = params.get("obc");
  if (data === null) return undefined;
  try {
    const text = strFromU8(inflateSync(fromBase64Url(data)));
    const name = params.get("name") ?? "";
    return { text, fileName: /^[^/\\]{1,200}$/.test(name) ? name : "contract.obc" };
  } catch {
    return { error: "The shared link is damaged (perhaps cut short when it was copied): the contract in it cannot be read." };
  }
}
