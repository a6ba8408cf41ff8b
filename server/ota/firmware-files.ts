import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '../errors.ts';

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
 */
export class FirmwareFiles {
  readonly dir: string;
  readonly maxBytes: number;

  constructor(dataDir: string, maxBytes: number) {
    this.dir = path.join(dataDir, 'firmware');
    this.maxBytes = maxBytes;
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

  /** Gives a received image its firmware id. */
  keep(image: ReceivedImage, firmwareId: number): void {
    fs.renameSync(image.tempFile, this.fileOf(firmwareId));
  }

  discard(image: ReceivedImage): void {
    fs.rmSync(image.tempFile, { force: true });
  }

  remove(firmwareId: number): void {
    fs.rmSync(this.fileOf(firmwareId), { force: true });
  }
}
