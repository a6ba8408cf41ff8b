/**
 * The web UI's static files, compressed once when the UI is built instead of on every request: each compressible
 * file gets a brotli (`.br`, best quality) and a gzip (`.gz`) copy beside it, and the server sends the copy the
 * browser accepts. Brotli at its best quality takes seconds for the editor's bundle, which a build can afford and a
 * request cannot; it is also a fifth smaller than gzip.
 */
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';

/** What is worth compressing: text, and fonts stored uncompressed (woff and woff2 are compressed already). */
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|txt|ttf|eot)$/i;
/**
 * Whether a file of the UI is of a kind the build compresses: its answer may differ by `Accept-Encoding` (a small one
 * has no copies, but saying so costs nothing, where checking for them would cost a file lookup per request).
 */
export function isCompressible(file: string): boolean {
  return COMPRESSIBLE.test(file);
}

/** Below this, the headers of a compressed answer cost more than the bytes it saves. */
const MIN_BYTES = 1024;

const brotli = promisify(zlib.brotliCompress);
/**
 * Brotli quality 10, not the maximum 11: on the UI's 3.2 MB of JavaScript and CSS, 11 took 6.4 s of CPU for 704 KB,
 * 10 takes 2.7 s for 717 KB (2 % more), and every build pays it (a first start, a test run on a fresh clone).
 */
const BROTLI_QUALITY = 10;
const gzip = promisify(zlib.gzip);

/** The encodings served, best first, with their file suffix. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

/** Writes the `.br` and `.gz` copies of those of `files` worth compressing; answers how many files got them. */
export async function precompressFiles(files: readonly string[]): Promise<number> {
  const chosen = files.filter((file) => COMPRESSIBLE.test(file) && fs.statSync(file).size >= MIN_BYTES);
  await Promise.all(chosen.map(async (file) => {
    const content = await fs.promises.readFile(file);
    const [br, gz] = await Promise.all([
      brotli(content, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length } }),
      gzip(content, { level: zlib.constants.Z_BEST_COMPRESSION }),
    ]);
    await Promise.all([fs.promises.writeFile(`${file}.br`, br), fs.promises.writeFile(`${file}.gz`, gz)]);
  }));
  return chosen.length;
}

/**
 * Sends the compressed copy of the file a GET or HEAD asks for under `root`, in the best encoding the browser accepts,
 * with `cacheControl`; passes on when there is none (the file is small, not compressible, or missing), for
 * `express.static` to answer.
 */
export function precompressedFiles(root: string, cacheControl: string): RequestHandler {
  const base = path.resolve(root);
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let relative: string;
    try {
      relative = decodeURIComponent(req.path);
    } catch {
      return next();
    }
    const file = path.resolve(base, `.${relative}`);
    if (!file.startsWith(base + path.sep) || relative.includes('\0') || !COMPRESSIBLE.test(file)) return next();
    void sendCompressed(req, res, file, cacheControl).then((sent) => {
      if (!sent) {
        for (const header of ['Content-Encoding', 'Vary', 'Cache-Control', 'Content-Type']) res.removeHeader(header);
        next();
      }
    }, next);
  };
}

async function sendCompressed(req: Request, res: Response, file: string, cacheControl: string): Promise<boolean> {
  for (const { name, suffix } of ENCODINGS) {
    if (req.acceptsEncodings(name) !== name) continue;
    const copy = `${file}${suffix}`;
    const found = await fs.promises.stat(copy).catch(() => null);
    if (!found?.isFile()) continue;
    res.setHeader('Content-Encoding', name);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cache-Control', cacheControl);
    // The type of the file itself, not of its copy's suffix.
    res.type(path.extname(file));
    // A copy that fails before anything is sent (removed by a rebuild meanwhile) leaves the file to express.static;
    // a client gone midway needs nothing more.
    return new Promise<boolean>((resolve) => res.sendFile(copy, { cacheControl: false, dotfiles: 'deny' }, (err) => resolve(!err || res.headersSent)));
  }
  return false;
}
