import { describe, expect, it } from 'vitest';
import { FrameReader, frameOut, type CodecFramer, type FramingSpec, type FrameStep } from './tcp-framing.ts';

/** Feeds the chunks one by one and collects every frame (as text) and the error that ended the stream, if any. */
function read(spec: Partial<FramingSpec>, chunks: (string | Buffer)[], codecFrame?: CodecFramer): { frames: string[]; error?: Extract<FrameStep, { kind: 'error' }> } {
  const reader = new FrameReader(() => ({ framing: 'newline', fixedBytes: 4, maxFrameBytes: 64, ...spec }), codecFrame);
  const frames: string[] = [];
  for (const chunk of chunks) {
    reader.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
    for (;;) {
      const step = reader.next();
      if (step.kind === 'more') break;
      if (step.kind === 'error') return { frames, error: step };
      frames.push(step.frame.toString('latin1'));
    }
  }
  return { frames };
}

const prefixed16 = (text: string) => Buffer.concat([Buffer.from([0, text.length]), Buffer.from(text)]);
const prefixed32 = (text: string) => Buffer.concat([Buffer.from([0, 0, 0, text.length]), Buffer.from(text)]);

describe('newline framing', () => {
  it('cuts at LF, drops a CR before it, and joins a frame split across segments', () => {
    expect(read({}, ['{"a":1}\r\n{"b"', ':2}\n', '\n', 'x'])).toEqual({ frames: ['{"a":1}', '{"b":2}', ''] });
  });

  it('several frames in one segment, and a frame sent byte by byte', () => {
    expect(read({}, ['one\ntwo\nthree\n'])).toEqual({ frames: ['one', 'two', 'three'] });
    expect(read({}, [...'slow\n'])).toEqual({ frames: ['slow'] });
  });

  it('more bytes than the limit without a newline end the stream before they are held', () => {
    const { frames, error } = read({ maxFrameBytes: 8 }, ['ok\n', 'x'.repeat(5), 'x'.repeat(5), 'never\n']);
    expect(frames).toEqual(['ok']);
    expect(error).toMatchObject({ tooLarge: true, reason: expect.stringContaining('without a newline, over the limit of 8') });
  });

  it('a frame of exactly the limit passes, with or without CR', () => {
    expect(read({ maxFrameBytes: 4 }, ['abcd\r\nefgh\n'])).toEqual({ frames: ['abcd', 'efgh'] });
  });
});

describe('length-prefixed framing', () => {
  it('16-bit: the prefix and the body split anywhere, several frames in one segment', () => {
    const stream = Buffer.concat([prefixed16('hello'), prefixed16(''), prefixed16('world')]);
    expect(read({ framing: 'length16' }, [stream.subarray(0, 1), stream.subarray(1, 4), stream.subarray(4)])).toEqual({ frames: ['hello', '', 'world'] });
  });

  it('32-bit, byte by byte', () => {
    const stream = Buffer.concat([prefixed32('abc'), prefixed32('defg')]);
    expect(read({ framing: 'length32' }, [...stream].map((b) => Buffer.of(b)))).toEqual({ frames: ['abc', 'defg'] });
  });

  it('a prefix announcing more than the limit ends the stream at once, before the body comes', () => {
    const announce = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    expect(read({ framing: 'length32', maxFrameBytes: 1024 }, [announce]).error).toMatchObject({
      tooLarge: true, reason: 'length prefix announces a frame of 2147483647 bytes, over the limit of 1024',
    });
  });
});

describe('fixed framing', () => {
  it('cuts every N bytes, whatever the segments', () => {
    expect(read({ framing: 'fixed', fixedBytes: 3 }, ['ab', 'cdefg', 'hi'])).toEqual({ frames: ['abc', 'def', 'ghi'] });
  });
});

describe('codec framing', () => {
  // A frame is a length byte and that many bytes after it.
  const lengthByte: CodecFramer = (bytes) => ({ ok: true, value: bytes.length >= 1 + bytes[0]! ? 1 + bytes[0]! : 0 });

  it('asks the codec where each frame ends', () => {
    expect(read({ framing: 'codec' }, ['\x02ab\x01', 'c\x03de', 'f'], lengthByte)).toEqual({ frames: ['\x02ab', '\x01c', '\x03def'] });
  });

  it('a codec that never finds a frame is stopped at the limit; one that fails ends the stream with its reason', () => {
    expect(read({ framing: 'codec', maxFrameBytes: 16 }, ['x'.repeat(10), 'x'.repeat(10)], () => ({ ok: true, value: 0 })).error).toMatchObject({ tooLarge: true });
    expect(read({ framing: 'codec' }, ['x'], () => ({ ok: false, reason: 'codec frame failed (timeout)' })).error)
      .toEqual({ kind: 'error', tooLarge: false, reason: 'codec frame failed (timeout)' });
    expect(read({ framing: 'codec' }, ['x']).error).toMatchObject({ tooLarge: false, reason: expect.stringContaining('no published codec') });
  });
});

describe('what the platform sends', () => {
  it('is framed as the device frames', () => {
    const bytes = Buffer.from('{"code":0}');
    expect(frameOut('newline', bytes).toString()).toBe('{"code":0}\n');
    expect(frameOut('length16', bytes)).toEqual(prefixed16('{"code":0}'));
    expect(frameOut('length32', bytes)).toEqual(prefixed32('{"code":0}'));
    expect(frameOut('fixed', bytes)).toEqual(bytes);
    expect(frameOut('codec', bytes)).toEqual(bytes);
    expect(() => frameOut('length16', Buffer.alloc(70_000))).toThrow(/16-bit length prefix/);
  });
});
