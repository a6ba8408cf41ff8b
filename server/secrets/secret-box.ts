import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { keyFile } from './key-file.ts';

/**
 * Encrypts secrets at rest (device secrets, product secrets) with AES-256-GCM. The key lives outside the database, in
 * a file generated into the data dir on first start, so a copied database file alone does not reveal secrets.
 * Sealed form: `v1:<iv b64url>:<tag b64url>:<ciphertext b64url>`.
 */
export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('secret key must be 32 bytes');
    this.#key = key;
  }

  /** Reads the key file, creating it (mode 0600) with 32 random bytes when it does not exist yet. */
  static fromKeyFile(file: string): SecretBox {
    return new SecretBox(Buffer.from(keyFile(file), 'hex'));
  }

  /** A key of its own for one purpose (signing download tokens, …), derived from this one: HMAC-SHA256(key, purpose). */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.#key).update(`thingwire:${purpose}`).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A new device or product secret: 32 random bytes as hex (docs/protocol.md "Identity"). */
export const newSecret = (): string => randomBytes(32).toString('hex');
