import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sql } from '../db/sql.ts';
import { ApiError } from '../errors.ts';

/** The size of the pieces an image is kept in in a cluster's database (`ota_firmware_chunks`). */
export const FIRMWARE_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes the image in `file` into `ota_firmware_chunks` as firmware `firmwareId`'s, a piece at a time (never the whole
 * image in memory); answers how many pieces. For a cluster's database: an upload there, or a node's images copied in.
 */
export async function storeFirmwareChunks(sql: Sql, firmwareId: number, file: string): Promise<number> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const piece = Buffer.allocUnsafe(FIRMWARE_CHUNK_BYTES);
    for (let seq = 0; ; seq++) {
      const { bytesRead } = await handle.read(piece, 0, FIRMWARE_CHUNK_BYTES, seq * FIRMWARE_CHUNK_BYTES);
      if (bytesRead === 0) return seq;
      await sql.run('INSERT INTO ota_firmware_chunks (firmware_id, seq, data) VALUES (?, ?, ?)', [firmwareId, seq, Buffer.from(piece.subarray(0, bytesRead))]);
    }
  } finally {
    await handle.close();
  }
}

/** An image written to disk, not yet named after its firmware id. */
export interface ReceivedImage {
  tempFile: string;
  size: number;
  sha256: string;
  md5: string;
}

/**
 * Firmware images under `{dataDir}/firmware`: `{id}.bin`. An upload is streamed to a temporary file while both
 * hashes are computed, never held whole in memory, and refused (413) as soon as it passes the size limit.
 *
 * In a cluster (`shared`, its database) an image is also kept in the database in pieces of {@link FIRMWARE_CHUNK_BYTES},
 * committed before the upload is answered; a node asked for an image it does not have copies it from there into its
 * data dir at the first download ({@link local}), a piece at a time, and serves it from the file from then on.
 */
export class FirmwareFiles {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #shared: Sql | undefined;
  /** Copies from the database under way, by firmware id: downloads that start meanwhile wait for the same one. */
  readonly #copying = new Map<number, Promise<boolean>>();

  constructor(dataDir: string, maxBytes: number, shared?: Sql) {
    this.dir = path.join(dataDir, 'firmware');
    this.maxBytes = maxBytes;
    this.#shared = shared;
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Uploads that a crash or a refused request left half-written.
    for (const name of fs.readdirSync(this.dir)) if (name.startsWith('upload-')) fs.rmSync(path.join(this.dir, name), { force: true });
  }

  fileOf(firmwareId: number): string {
    return path.join(this.dir, `${firmwareId}.bin`);
  }

  /** Streams `body` to a temporary file, hashing it; 413 past the limit, 400 when empty. The caller keeps or drops it. */
  async receive(body: Readable): Promise<ReceivedImage> {
    const tempFile = path.join(this.dir, `upload-${randomBytes(8).toString('hex')}`);
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    let size = 0;
    const { maxBytes } = this;
    try {
      await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          size += chunk.length;
          if (size > maxBytes) {
            throw new ApiError(413, 'firmware_too_large', `Firmware images are limited to ${maxBytes} bytes (--firmware-max-mb); this one is larger.`);
          }
          sha256.update(chunk);
          md5.update(chunk);
          yield chunk;
        }
      }, fs.createWriteStream(tempFile, { mode: 0o600 }));
    } catch (err) {
      fs.rmSync(tempFile, { force: true });
      // The request body stops being read: let the client know now rather than after it sent the rest.
      body.resume();
      throw err;
    }
    if (size === 0) {
      fs.rmSync(tempFile, { force: true });
      throw new ApiError(400, 'firmware_empty', 'The request body is empty: send the image as the body (Content-Type: application/octet-stream).');
    }
    return { tempFile, size, sha256: sha256.digest('hex'), md5: md5.digest('hex') };
  }

  /** Gives a received image its firmware id; in a cluster, also commits it to the database for the other nodes. */
  async keep(image: ReceivedImage, firmwareId: number): Promise<void> {
    fs.renameSync(image.tempFile, this.fileOf(firmwareId));
    const shared = this.#shared;
    if (!shared) return;
    await shared.transaction((tx) => storeFirmwareChunks(tx, firmwareId, this.fileOf(firmwareId)));
  }

  /**
   * Whether the image is in this node's data dir, copied there from the cluster's database first when another node
   * took the upload. False when a cluster has it in neither (the caller answers 404).
   */
  async local(firmwareId: number): Promise<boolean> {
    const shared = this.#shared;
    // A single node has all its images: one that is missing is said when the download opens the file.
    if (!shared || fs.existsSync(this.fileOf(firmwareId))) return true;
    let copying = this.#copying.get(firmwareId);
    if (!copying) {
      copying = this.#copyFrom(shared, firmwareId).finally(() => this.#copying.delete(firmwareId));
      this.#copying.set(firmwareId, copying);
    }
    return copying;
  }

  async #copyFrom(shared: Sql, firmwareId: number): Promise<boolean> {
    const tempFile = path.join(this.dir, `upload-${randomBytes(8).toString('hex')}`);
    const out = await fs.promises.open(tempFile, 'w', 0o600);
    let pieces = 0;
    try {
      for (; ; pieces++) {
        const row = await shared.get<{ data: Buffer }>('SELECT data FROM ota_firmware_chunks WHERE firmware_id = ? AND seq = ?', [firmwareId, pieces]);
        if (!row) break;
        await out.write(row.data);
      }
    } catch (err) {
      await out.close();
      fs.rmSync(tempFile, { force: true });
      throw err;
    }
    await out.close();
    if (pieces === 0) {
      fs.rmSync(tempFile, { force: true });
      return false;
    }
    fs.renameSync(tempFile, this.fileOf(firmwareId));
    return true;
  }

  discard(image: ReceivedImage): void {
    fs.rmSync(image.tempFile, { force: true });
  }

  remove(firmwareId: number): void {
    fs.rmSync(this.fileOf(firmwareId), { force: true });
  }
}
