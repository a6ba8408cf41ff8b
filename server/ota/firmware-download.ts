import fs from 'node:fs';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { ApiError, sendApiError } from '../errors.ts';
import type { FirmwareFiles } from './firmware-files.ts';
import type { OtaService } from './ota-service.ts';

/** Where devices download firmware (docs/ota.md "Downloads"); outside `/api/v1`: devices hold a token, not a session. */
export const FIRMWARE_DOWNLOAD_PATH = '/ota/firmware/:id';

/** `bytes=N-`, `bytes=N-M` or `bytes=-N` of a file of `size` bytes: the inclusive range, 'unsatisfiable', or undefined to send it all. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges, or another unit: send the whole image, as RFC 9110 allows.
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * `GET /ota/firmware/{id}?token=…`: the image, for the device the token was issued to while its upgrade is under way.
 * Resumable (`Range`, `If-Range`), tagged with its SHA-256, at most `maxConcurrentDownloads` at once per campaign (503
 * with `Retry-After` beyond); the bytes served move the upgrade's download percent.
 */
export function firmwareDownload(ota: Pick<OtaService, 'authorizeDownload' | 'downloaded'>, files: FirmwareFiles, logger: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = Number(req.params.id);
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    if (!Number.isSafeInteger(id) || id < 1) return sendApiError(res, new ApiError(404, 'not_found', 'No such firmware.'));
    if (!token) return sendApiError(res, new ApiError(401, 'unauthorized', 'A firmware download needs the token of its upgrade push (?token=…).'));
    const granted = await ota.authorizeDownload(token, id);
    if ('status' in granted) {
      if (granted.retryAfter) res.setHeader('Retry-After', String(granted.retryAfter));
      return sendApiError(res, new ApiError(granted.status, granted.status === 503 ? 'busy' : 'forbidden', granted.message));
    }
    const { firmware, upgradeId, release } = granted;
    // Gone while its token was checked: the slot is not held for nobody.
    if (res.closed) return release();
    res.on('close', release);
    // In a cluster the image may have been uploaded through another node: copied here first.
    if (!(await files.local(firmware.id))) {
      logger.error({ firmwareId: firmware.id }, 'a firmware image is missing from the cluster\'s database: upload the version again');
      return sendApiError(res, new ApiError(404, 'not_found', 'The firmware image is missing on the server.'));
    }
    const downloaded = (bytes: number) => {
      ota.downloaded(upgradeId, bytes).catch((err: unknown) => logger.error({ err, upgradeId }, 'recording a firmware download\'s progress failed'));
    };
    const etag = `"${firmware.sha256}"`;
    res.setHeader('ETag', etag);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Type', 'application/octet-stream');
    // A header holds printable ASCII only: anything else in an uploaded name becomes `_`.
    res.setHeader('Content-Disposition', `attachment; filename="${firmware.fileName.replace(/[^\x20-\x7e]|["\\]/g, '_')}"`);
    const ifRange = req.headers['if-range'];
    const range = ifRange !== undefined && ifRange !== etag ? undefined : parseRange(req.headers.range, firmware.size);
    if (range === 'unsatisfiable') {
      res.setHeader('Content-Range', `bytes */${firmware.size}`);
      release();
      return sendApiError(res, new ApiError(416, 'range_not_satisfiable', `The image is ${firmware.size} bytes; the range asked for is outside it.`));
    }
    const start = range?.start ?? 0;
    const end = range?.end ?? firmware.size - 1;
    if (range) {
      res.status(206);
      res.setHeader('Content-Range', `bytes ${start}-${end}/${firmware.size}`);
    }
    res.setHeader('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    // The service records a download's percent in steps of 10: reporting more often would only be read and dropped.
    const step = Math.max(1, Math.floor(firmware.size / 10));
    let sent = start;
    let reported = start;
    const stream = fs.createReadStream(files.fileOf(firmware.id), { start, end });
    // Headers wait for the file to open: a missing image is still a 404 that says so (one open per download, no stat).
    stream.once('open', () => {
      downloaded(start);
      stream.pipe(res);
    });
    stream.on('data', (chunk) => {
      sent += chunk.length;
      if (sent - reported >= step) {
        reported = sent;
        downloaded(sent);
      }
    });
    stream.on('end', () => {
      if (reported !== sent) downloaded(sent);
    });
    stream.on('error', (err) => {
      if (!res.headersSent && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        logger.error({ firmwareId: firmware.id, file: files.fileOf(firmware.id) }, 'a firmware image is missing from the data dir: upload the version again');
        for (const header of res.getHeaderNames()) res.removeHeader(header);
        return sendApiError(res, new ApiError(404, 'not_found', 'The firmware image is missing on the server.'));
      }
      logger.error({ err, firmwareId: firmware.id }, 'reading a firmware image failed');
      res.destroy(err);
    });
    // A device that drops the connection stops the read (and resumes later with Range).
    res.on('close', () => stream.destroy());
  };
}
