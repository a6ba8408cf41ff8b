import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  newVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSWASMModule,
} from 'quickjs-emscripten-core';
import { checkDecodeResult, checkEncodeResult, checkFrameResult, InvalidResult, type DecodedMessage } from './codec-result.ts';

/** The functions a codec may define. */
export type CodecFunction = 'decode' | 'encode' | 'frame';

/** Limits of one product's sandbox; each call gets the full time, the memory and stack are the runtime's. */
export interface CodecLimits {
  /** Time one call may run, ms. */
  timeoutMs: number;
  /** Time loading the source (compiling it and running its top level) may take, ms. */
  compileTimeoutMs: number;
  /**
   * Memory the product's codec may allocate, bytes: the most its WebAssembly memory may grow beyond the build's
   * initial 16 MB (which holds QuickJS itself). QuickJS's own `setMemoryLimit` is set too, but it cannot be relied on
   * alone: in this build it bounds single allocations, not their sum (quickjs-emscripten issue 271).
   */
  memoryBytes: number;
  /**
   * QuickJS's own stack limit, bytes. Kept small: the interpreter's WebAssembly frames also use the Node thread's
   * stack, and QuickJS must say "stack overflow" before Node does (which it may still do when called from deep in the
   * host's stack; the sandbox is then thrown away like after a timeout).
   */
  stackBytes: number;
  /** Largest JSON result a call may hand back, characters. */
  maxResultChars: number;
  /** Largest frame `encode` may return, bytes. */
  maxEncodedBytes: number;
}

export const defaultCodecLimits: CodecLimits = {
  timeoutMs: 50,
  compileTimeoutMs: 500,
  memoryBytes: 16 * 1024 * 1024,
  stackBytes: 128 * 1024,
  maxResultChars: 64 * 1024,
  maxEncodedBytes: 64 * 1024,
};

export type CodecErrorKind = 'threw' | 'timeout' | 'memory' | 'invalid-result';
export type CompileErrorKind = 'syntax' | 'missing-function' | 'threw' | 'timeout' | 'memory';

export interface CodecError {
  kind: CodecErrorKind;
  message: string;
}

export interface CompileError {
  kind: CompileErrorKind;
  message: string;
  /** Where a syntax error (or a throw while the source runs) is, 1-based. */
  line?: number;
  column?: number;
}

export type CodecResult<T> = { ok: true; value: T } | { ok: false; error: CodecError };
export type CompileResult = { ok: true; functions: CodecFunction[] } | { ok: false; error: CompileError };

/** What a product's codec has cost so far (for metrics). */
export interface CodecStats {
  calls: number;
  errors: Record<CodecErrorKind, number>;
  /**
   * Time spent in calls, ms. A call runs synchronously on the calling thread, so this is the time that thread was busy
   * with the codec. (Not `process.cpuUsage()`: it counts every thread of the process and costs ~4 µs a call, 10 % of
   * one.)
   */
  busyMs: number;
  /** Times the runtime was thrown away and built again (after a timeout, running out of memory or a compile). */
  restarts: number;
}

/** What a codec sees as its second argument: who the bytes are from, as JSON. */
export interface CodecContext {
  productKey: string;
  deviceName?: string;
  [key: string]: unknown;
}

/**
 * The build's typings are CommonJS-only (`export default` in a `.d.ts` of a package without `"type": "module"`), so
 * TypeScript sees the `module.exports` object; imported as ESM, the default export is the variant itself.
 */
const variant = releaseSync as unknown as Extract<Parameters<typeof newQuickJSWASMModuleFromVariant>[0], { type: 'sync' }>;

const sourceName = 'codec.js';
const wasmPage = 64 * 1024;
/** The build's INITIAL_MEMORY: its stack, static data and QuickJS's own start-up heap. */
const wasmBaseBytes = 16 * 1024 * 1024;

/** Node has the `WebAssembly` global; the project's typings (no DOM lib) declare only its types. */
type WasmMemory = Extract<NonNullable<Parameters<typeof newVariant>[1]['wasmMemory']>, { buffer: unknown }>;
const WasmMemory = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => WasmMemory } })
  .WebAssembly.Memory;

/**
 * A new WebAssembly instance of QuickJS whose memory cannot grow past `memoryBytes` over its base: the build takes
 * its memory from the loader, so giving it one with a `maximum` makes running out a clean QuickJS "out of memory".
 */
function newInstance(memoryBytes: number): Promise<QuickJSWASMModule> {
  const initial = wasmBaseBytes / wasmPage;
  const wasmMemory = new WasmMemory({ initial, maximum: initial + Math.ceil(memoryBytes / wasmPage) });
  return newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory }) as typeof variant);
}

/**
 * Calls into user code through one function defined before the user's source runs, so that it holds the real
 * `JSON`, `Uint8Array` and `Array.from` even if the codec replaces them. Results cross as a JSON string; a result over
 * the size limit comes back as its length instead.
 */
const bridgeSource = `(function (stringify, parse, U8, isView, from) {
  return function bridge(fn, input, ctxJson, inputIsJson, maxChars) {
    let out = fn(inputIsJson ? parse(input) : new U8(input), parse(ctxJson));
    if (out !== null && typeof out === 'object' && isView(out)) out = from(new U8(out.buffer, out.byteOffset, out.byteLength));
    const json = stringify(out);
    return json !== undefined && json.length > maxChars ? json.length : json;
  };
})(JSON.stringify, JSON.parse, Uint8Array, ArrayBuffer.isView, (x) => Array.from(x))`;

/** One product's live sandbox: its own WebAssembly instance, runtime and context. */
interface Isolate {
  module: QuickJSWASMModule;
  runtime: QuickJSRuntime;
  vm: QuickJSContext;
  bridge: QuickJSHandle;
  functions: Map<CodecFunction, QuickJSHandle>;
  /** The interrupt handler reads these; set per call. */
  deadline: number;
  interrupted: boolean;
}

interface ProductCodec {
  source: string;
  compiled: CompileResult;
  /** The product's WebAssembly instance; replaced when a failure may have left its memory inconsistent. */
  module?: QuickJSWASMModule;
  isolate?: Isolate;
  stats: CodecStats;
}

/** Thrown inside a call when the isolate can no longer be trusted; the caller drops it. */
class IsolateBroken extends Error {
  constructor(readonly kind: 'timeout' | 'memory', message: string) {
    super(message);
  }
}

/**
 * Runs products' codecs (user JavaScript with `decode`, `encode`, optionally `frame`) in QuickJS, one WebAssembly
 * instance per product, kept warm: the source is compiled once and its functions called for each frame. The code
 * sees only its arguments: no Node, file system, network or timers. Each call has a time limit, the runtime a memory
 * and a stack limit; a call that throws, runs over or runs out answers `{ok: false, error}` and never throws itself.
 * After a timeout the product's runtime is thrown away (its state may be half-changed); after running out of memory
 * or stack, its whole WebAssembly instance (whose memory has grown, or which Node's stack overflow left inconsistent).
 * The next call builds it again from the source, so it starts clean, and other products are never touched.
 */
export class CodecSandbox {
  private readonly products = new Map<string, ProductCodec>();
  /**
   * A fresh WebAssembly instance kept ready: instantiating is asynchronous, and a product whose instance broke must
   * get a new one within the next (synchronous) call.
   */
  private spare?: QuickJSWASMModule;
  private refilling?: Promise<void>;

  private constructor(readonly limits: CodecLimits) {}

  /** Loads the QuickJS WebAssembly build (compiled once per process, ~40 ms; each product's instance ~10 ms). */
  static async create(limits: Partial<CodecLimits> = {}): Promise<CodecSandbox> {
    const sandbox = new CodecSandbox({ ...defaultCodecLimits, ...limits });
    sandbox.spare = await newInstance(sandbox.limits.memoryBytes);
    // V8 compiles WebAssembly functions when first called; doing it here keeps that out of the first codec's time.
    const warm = sandbox.build(await newInstance(sandbox.limits.memoryBytes), 'function decode(b) { return [b.length]; }');
    if (warm.ok) sandbox.free(warm.isolate);
    return sandbox;
  }

  /** Resolves once a spare instance is ready again (tests and shutdown use it; calls never need to wait). */
  async settled(): Promise<void> {
    await this.refilling;
  }

  /**
   * Compiles a product's codec (again only when the source changed) and checks that it defines the functions in
   * `needs`. A product whose source does not compile keeps no codec: its calls answer `threw` saying so. A codec
   * missing one of `needs` stays loaded for the functions it has.
   */
  async load(productKey: string, source: string, needs: CodecFunction[] = ['decode']): Promise<CompileResult> {
    const current = this.products.get(productKey);
    if (current && current.source === source && current.isolate) return this.checkNeeds(current.compiled, needs);
    const stats = current?.stats ?? newStats();
    let module = current && this.drop(current) ? current.module : undefined;
    module ??= await newInstance(this.limits.memoryBytes);
    const product: ProductCodec = { source, compiled: { ok: true, functions: [] }, stats, module };
    this.products.set(productKey, product);
    const built = this.build(module, source);
    if (!built.ok) {
      product.compiled = { ok: false, error: built.error };
      if (built.broken) product.module = undefined;
      return product.compiled;
    }
    product.isolate = built.isolate;
    product.compiled = { ok: true, functions: [...built.isolate.functions.keys()] };
    return this.checkNeeds(product.compiled, needs);
  }

  /** Decodes bytes from a device into messages. */
  decode(productKey: string, bytes: Uint8Array, context: CodecContext): CodecResult<DecodedMessage[]> {
    return this.call(productKey, 'decode', bytes, context, checkDecodeResult);
  }

  /** Encodes a command (JSON: `{kind, params, serviceId?, id}`) into bytes for the device. */
  encode(productKey: string, command: unknown, context: CodecContext): CodecResult<Uint8Array> {
    return this.call(productKey, 'encode', command, context, (v) => checkEncodeResult(v, this.limits.maxEncodedBytes));
  }

  /** Asks the codec's `frame` where the first frame in `bytes` ends: its length, or 0 when more bytes are needed. */
  frame(productKey: string, bytes: Uint8Array, context: CodecContext): CodecResult<number> {
    return this.call(productKey, 'frame', bytes, context, (v) => checkFrameResult(v, bytes.length));
  }

  /** Whether the product's codec defines `fn` (false when it has no codec or it did not compile). */
  defines(productKey: string, fn: CodecFunction): boolean {
    const compiled = this.products.get(productKey)?.compiled;
    return compiled?.ok === true && compiled.functions.includes(fn);
  }

  stats(productKey: string): CodecStats | undefined {
    const stats = this.products.get(productKey)?.stats;
    return stats && { ...stats, errors: { ...stats.errors } };
  }

  /** Forgets a product's codec and frees its instance. */
  unload(productKey: string): void {
    const product = this.products.get(productKey);
    if (product) this.drop(product);
    this.products.delete(productKey);
  }

  /** Frees every product's instance. */
  dispose(): void {
    for (const key of [...this.products.keys()]) this.unload(key);
  }

  private checkNeeds(compiled: CompileResult, needs: CodecFunction[]): CompileResult {
    if (!compiled.ok) return compiled;
    const missing = needs.filter((fn) => !compiled.functions.includes(fn));
    if (missing.length === 0) return compiled;
    return {
      ok: false,
      error: { kind: 'missing-function', message: `The codec must define ${missing.map((fn) => `function ${fn}(…)`).join(' and ')}.` },
    };
  }

  /** Compiles `source` in a new runtime of `module`; `broken` says the module itself must not be used again. */
  private build(
    module: QuickJSWASMModule,
    source: string,
  ): { ok: true; isolate: Isolate } | { ok: false; error: CompileError; broken: boolean } {
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(this.limits.memoryBytes);
    runtime.setMaxStackSize(this.limits.stackBytes);
    const vm = runtime.newContext();
    const isolate: Isolate = { module, runtime, vm, bridge: vm.undefined, functions: new Map(), deadline: 0, interrupted: false };
    runtime.setInterruptHandler(() => {
      if (performance.now() <= isolate.deadline) return false;
      isolate.interrupted = true;
      return true;
    });
    try {
      isolate.deadline = performance.now() + this.limits.compileTimeoutMs;
      isolate.interrupted = false;
      isolate.bridge = this.evaluate(isolate, bridgeSource, 'bridge.js');
      this.evaluate(isolate, source, sourceName).dispose();
      for (const fn of ['decode', 'encode', 'frame'] as const) {
        const handle = vm.getProp(vm.global, fn);
        if (vm.typeof(handle) === 'function') isolate.functions.set(fn, handle);
        else handle.dispose();
      }
      if (isolate.functions.size === 0) {
        return {
          ok: false,
          error: { kind: 'missing-function', message: 'The codec defines none of decode, encode, frame: declare them as top-level functions.' },
          broken: !this.free(isolate),
        };
      }
      return { ok: true, isolate };
    } catch (err) {
      if (err instanceof VmThrew) return { ok: false, error: err.compileError(), broken: !this.free(isolate) };
      if (err instanceof IsolateBroken) {
        const freed = this.free(isolate);
        return { ok: false, error: { kind: err.kind, message: `While the source ran: ${err.message}` }, broken: !freed || err.kind === 'memory' };
      }
      return { ok: false, error: { kind: 'memory', message: `While the source ran: ${hostErrorMessage(err)}` }, broken: true };
    }
  }

  private evaluate(isolate: Isolate, source: string, name: string): QuickJSHandle {
    const result = isolate.vm.evalCode(source, name);
    if (!result.error) return result.value;
    const error = this.vmError(isolate, result.error, this.limits.compileTimeoutMs);
    result.error.dispose();
    throw error;
  }

  private call<T>(
    productKey: string,
    fn: CodecFunction,
    input: unknown,
    context: CodecContext,
    check: (value: unknown) => T,
  ): CodecResult<T> {
    const product = this.products.get(productKey);
    if (!product) return fail(undefined, 'threw', `Product "${productKey}" has no codec.`);
    const stats = product.stats;
    stats.calls++;
    if (!product.compiled.ok) return fail(stats, 'threw', `The codec does not compile: ${product.compiled.error.message}`);
    if (!product.isolate) {
      // Thrown away after a timeout or running out of memory: build it again, outside this call's time.
      product.module ??= this.takeSpare();
      if (!product.module) return fail(stats, 'memory', 'The codec is being restarted after a failure; try again shortly.');
      stats.restarts++;
      const built = this.build(product.module, product.source);
      if (!built.ok) {
        if (built.broken) product.module = undefined;
        return fail(stats, built.error.kind === 'timeout' || built.error.kind === 'memory' ? built.error.kind : 'threw', built.error.message);
      }
      product.isolate = built.isolate;
    }
    const isolate = product.isolate;
    const handle = isolate.functions.get(fn);
    if (!handle) return fail(stats, 'threw', `The codec does not define function ${fn}(…).`);
    const t0 = performance.now();
    try {
      const json = this.invoke(isolate, handle, input, context);
      let value: unknown;
      if (typeof json === 'number') throw new InvalidResult(`${fn} returned ${json} characters of JSON, over the ${this.limits.maxResultChars} limit`);
      if (json !== undefined) value = JSON.parse(json);
      return { ok: true, value: check(value) };
    } catch (err) {
      if (err instanceof InvalidResult) return fail(stats, 'invalid-result', err.message);
      if (err instanceof VmThrew) return fail(stats, 'threw', err.message);
      if (err instanceof IsolateBroken) {
        // Out of memory, the instance's memory stays grown (WebAssembly memory never shrinks): replace it whole.
        if (!this.drop(product) || err.kind === 'memory') product.module = undefined;
        return fail(stats, err.kind, err.message);
      }
      // Node's own stack ran out inside WebAssembly, or the instance aborted: nothing in its memory is to be trusted,
      // not even its runtime's teardown, so the whole instance goes.
      product.isolate = undefined;
      product.module = undefined;
      this.takeSpareSoon();
      return fail(stats, 'memory', hostErrorMessage(err));
    } finally {
      stats.busyMs += performance.now() - t0;
    }
  }

  private invoke(isolate: Isolate, fn: QuickJSHandle, input: unknown, context: CodecContext): string | number | undefined {
    const { vm } = isolate;
    const isBytes = input instanceof Uint8Array;
    const args = [
      fn,
      // Copied with Uint8Array's slice, not the input's own: a Node Buffer's slice is a view, and its buffer the 8 KB
      // pool it shares with other Buffers, which the codec would see (and whose other bytes it would read).
      isBytes ? vm.newArrayBuffer(Uint8Array.prototype.slice.call(input).buffer) : vm.newString(JSON.stringify(input ?? null)),
      vm.newString(JSON.stringify(context)),
      isBytes ? vm.false : vm.true,
      vm.newNumber(this.limits.maxResultChars),
    ];
    isolate.deadline = performance.now() + this.limits.timeoutMs;
    isolate.interrupted = false;
    const result = vm.callFunction(isolate.bridge, vm.undefined, ...args);
    for (const arg of args.slice(1)) arg.dispose();
    if (result.error) {
      const error = this.vmError(isolate, result.error, this.limits.timeoutMs);
      result.error.dispose();
      throw error;
    }
    const type = vm.typeof(result.value);
    const out = type === 'string' ? vm.getString(result.value) : type === 'number' ? vm.getNumber(result.value) : undefined;
    result.value.dispose();
    return out;
  }

  /** What an exception inside the VM means: a timeout and running out break the isolate, a throw does not. */
  private vmError(isolate: Isolate, handle: QuickJSHandle, timeoutMs: number): Error {
    const e = isolate.vm.dump(handle) as { name?: string; message?: string; stack?: string; lineNumber?: number } | unknown;
    const { name, message, stack, lineNumber } = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as {
      name?: string;
      message?: string;
      stack?: string;
      lineNumber?: number;
    };
    if (isolate.interrupted) return new IsolateBroken('timeout', `ran longer than ${timeoutMs} ms and was stopped`);
    if (name === 'InternalError' && message === 'out of memory') {
      return new IsolateBroken('memory', `ran out of memory (limit ${Math.round(this.limits.memoryBytes / 1024 / 1024)} MB)`);
    }
    if (message === 'stack overflow') return new IsolateBroken('memory', `ran out of stack (too deep a recursion)`);
    const at = stack?.match(new RegExp(`${sourceName.replace('.', '\\.')}:(\\d+):(\\d+)`));
    return new VmThrew(name ?? 'Error', message ?? '', at ? Number(at[1]) : lineNumber, at ? Number(at[2]) : undefined);
  }

  private takeSpare(): QuickJSWASMModule | undefined {
    const spare = this.spare;
    this.spare = undefined;
    this.takeSpareSoon();
    return spare;
  }

  /** Starts instantiating a spare when there is none; a failure leaves none, and the next take tries again. */
  private takeSpareSoon(): void {
    if (this.spare || this.refilling) return;
    this.refilling = newInstance(this.limits.memoryBytes).then(
      (module) => {
        this.spare = module;
        this.refilling = undefined;
      },
      () => {
        this.refilling = undefined;
      },
    );
  }

  /** Frees the product's runtime; false when that failed and its WebAssembly instance must not be used again. */
  private drop(product: ProductCodec): boolean {
    const freed = product.isolate ? this.free(product.isolate) : true;
    product.isolate = undefined;
    return freed;
  }

  private free(isolate: Isolate): boolean {
    try {
      for (const handle of isolate.functions.values()) handle.dispose();
      isolate.functions.clear();
      if (isolate.bridge.alive) isolate.bridge.dispose();
      isolate.vm.dispose();
      isolate.runtime.dispose();
      return true;
    } catch {
      // Its teardown found the runtime inconsistent (QuickJS asserts): the instance is dropped whole instead.
      return false;
    }
  }
}

/** An exception the codec threw (or a syntax error), with where it happened in the source. */
class VmThrew extends Error {
  constructor(
    readonly errorName: string,
    readonly errorMessage: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${errorName}: ${errorMessage}${line ? ` (line ${line}${column ? `, column ${column}` : ''})` : ''}`);
  }

  compileError(): CompileError {
    return {
      kind: this.errorName === 'SyntaxError' ? 'syntax' : 'threw',
      message: this.message,
      ...(this.line ? { line: this.line } : {}),
      ...(this.column ? { column: this.column } : {}),
    };
  }
}

function newStats(): CodecStats {
  return { calls: 0, errors: { threw: 0, timeout: 0, memory: 0, 'invalid-result': 0 }, busyMs: 0, restarts: 0 };
}

function fail(stats: CodecStats | undefined, kind: CodecErrorKind, message: string): { ok: false; error: CodecError } {
  if (stats) stats.errors[kind]++;
  return { ok: false, error: { kind, message } };
}

function hostErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return /call stack/i.test(message) ? 'ran out of stack (too deep a recursion)' : `the sandbox failed (${message.slice(0, 200)})`;
}
