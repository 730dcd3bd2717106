/**
 * Pseudonymous student keys: HMAC-SHA256(secret, `idSystem:localId`), hex.
 *
 * A plain hash of a student id would be reversible by trying every id (ids are low-entropy), so
 * the key is keyed by a secret the district holds; the crosswalk stays with the district. The
 * secret comes from an environment variable or a file named by an option, is never logged, never
 * written, and never part of an error message.
 */
import { createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";

/** The environment variable read when no secret file is named. */
export const DEFAULT_SECRET_ENV = "OBC_PSEUDONYM_SECRET";

/** The least number of bytes a secret must have. */
export const MIN_SECRET_BYTES = 16;

/** A secret could not be loaded; the message never contains the secret. */
export class SecretError extends Error {
  constructor(
    message: string,
    /** "file" when the file could not be read, "usage" otherwise */
    readonly kind: "file" | "usage",
  ) {
    super(message);
  }
}

/**
 * Loads the pseudonymisation secret: the file's contents (one trailing newline removed) when
 * `secretFile` is given, else the environment variable `secretEnv` (default {@link DEFAULT_SECRET_ENV}).
 * @throws SecretError when there is none, or it is shorter than {@link MIN_SECRET_BYTES}
 */
export async function loadSecret(
  opts: { secretFile?: string; secretEnv?: string; cwdResolve?: (p: string) => string },
  env: Record<string, string | undefined> = process.env,
): Promise<Buffer> {
  let secret: Buffer;
  if (opts.secretFile !== undefined) {
    try {
      const path = opts.cwdResolve ? opts.cwdResolve(opts.secretFile) : opts.secretFile;
      secret = await readFile(path);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new SecretError(`cannot read the secret file ${opts.secretFile}: ${code === "ENOENT" ? "no such file" : code ?? "unreadable"}`, "file");
    }
    // drop one trailing newline (files written with echo)
    if (secret.length > 0 && secret[secret.length - 1] === 0x0a) secret = secret.subarray(0, secret.length - (secret.length > 1 && secret[secret.length - 2] === 0x0d ? 2 : 1));
  } else {
    const name = opts.secretEnv ?? DEFAULT_SECRET_ENV;
    const v = env[name];
    if (v === undefined || v === "") {
      throw new SecretError(`no pseudonymisation secret: set the environment variable ${name} or give --secret-file`, "usage");
    }
    secret = Buffer.from(v, "utf8");
  }
  if (secret.length < MIN_SECRET_BYTES) {
    throw new SecretError(`the pseudonymisation secret is too short: use at least ${MIN_SECRET_BYTES} bytes (32 random bytes recommended)`, "usage");
  }
  if (secretEntropyBits(secret) < MIN_SECRET_BITS) {
    throw new SecretError(
      `the pseudonymisation secret is too predictable (too few different characters for its length), so student ids could be recovered by guessing it: use 32 random bytes, e.g. the output of \`openssl rand -hex 32\``,
      "usage",
    );
  }
  return secret;
}

/** The least estimated strength of a secret, in bits. */
export const MIN_SECRET_BITS = 80;

/**
 * An estimate of a secret's strength: its length times the Shannon entropy of its byte
 * frequencies. Repeated or few distinct characters ("aaaa…", "abababab…", "0123456789abcdef")
 * score low; 16 random bytes, or 32 random hex digits, score well above {@link MIN_SECRET_BITS}.
 */
export function secretEntropyBits(secret: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const b of secret) counts.set(b, (counts.get(b) ?? 0) + 1);
  let perByte = 0;
  for (const n of counts.values()) {
    const p = n / secret.length;
    perByte -= p * Math.log2(p);
  }
  return perByte * secret.length;
}

/** A function from a local id to the student's key. */
export type KeyFunction = (localId: string, idSystem: string) => string;

/** Keys are the local ids themselves (no pseudonymisation). */
export const plainKeys: KeyFunction = (localId) => localId;

/**
 * Keys are HMAC-SHA256(secret, `idSystem:localId`) in lower-case hex (64 characters).
 * The same secret and id system give the same key in every file, so files still join.
 */
export function hmacKeys(secret: Buffer): KeyFunction {
  const copy = Buffer.from(secret);
  return (localId, idSystem) => createHmac("sha256", copy).update(`${idSystem}:${localId}`, "utf8").digest("hex");
}
