/**
 * The codec test bench: a frame pasted as hex is decoded, a command written as JSON is encoded, by the source the
 * editor shows (`POST /products/:pk/codec/test` with that source), so a codec is tried before it is saved.
 */
import { useState } from 'react';
import { apiRequest } from '../api.ts';
import { parseJsonText } from '../thing-model/json-text.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { INPUT } from '../ui/field.tsx';
import { Panel } from '../ui/page.tsx';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { exampleCommand, parseHex, spacedHex, type CodecProblem } from './codec-bench.ts';
import { t } from './codecs.messages.ts';
import { richText } from '../i18n/rich.tsx';

/** Example bytes for the hex box (data, not words). */
const HEX_EXAMPLE = 'a5 01 00 00 00 07 43 66 80 00 …';

type TestResult = { ok: true; messages: unknown[] } | { ok: true; hex: string } | { ok: false; error: CodecProblem };

/** One bench run's outcome (the route's answer, or why it was not sent or not answered) and the source it ran. */
type Run = ({ result: TestResult } | { input: string } | { failed: unknown }) & { source?: string };

export function CodecBench({ base, source, tsl, what, onProblem }: {
  /** `/products/:pk/codec`. */
  base: string;
  /** The codec to try; undefined while it loads. */
  source: string | undefined;
  tsl: TslDocument | null | undefined;
  /** Which text runs, for the user ("the editor's text, saved or not"). */
  what: string;
  /** A run failed in the codec (its place is marked in the editor), or the latest run did not. */
  onProblem(problem: CodecProblem | null): void;
}) {
  const [hex, setHex] = useState('');
  const [command, setCommand] = useState<string | null>(null);
  const [decoded, setDecoded] = useState<Run | null>(null);
  const [encoded, setEncoded] = useState<Run | null>(null);
  const [busy, setBusy] = useState<'decode' | 'encode' | null>(null);
  const commandText = command ?? exampleCommand(tsl);

  const run = async (fn: 'decode' | 'encode', body: Record<string, unknown>, show: (run: Run) => void) => {
    if (source === undefined) return;
    setBusy(fn);
    try {
      const result = await apiRequest<TestResult>('POST', `${base}/test`, { source, [fn]: body });
      show({ result, source });
      onProblem(result.ok ? null : result.error);
    } catch (err) {
      show({ failed: err, source });
    } finally {
      setBusy(null);
    }
  };

  const decode = () => {
    const parsed = parseHex(hex);
    if (!parsed.ok) setDecoded({ input: parsed.message });
    else void run('decode', { hex: parsed.hex }, setDecoded);
  };
  const encode = () => {
    const parsed = parseJsonText(commandText);
    if (!parsed.ok) setEncoded({ input: t('bench.notJson', { line: parsed.error.line, column: parsed.error.column, message: parsed.error.message }) });
    else void run('encode', { command: parsed.value }, setEncoded);
  };

  const parsedHex = hex.trim() === '' ? null : parseHex(hex);
  return (
    <Panel title={t('bench.title')} actions={<span className="text-xs text-slate-500">{t('bench.runs', { what })}</span>} bodyClassName="space-y-5">
      <section aria-label={t('bench.decodeRegion')} className="space-y-2">
        <label htmlFor="bench-hex" className="block text-sm font-medium text-slate-700">{t('bench.frame')}</label>
        <textarea
          id="bench-hex" rows={3} spellCheck={false} value={hex} onChange={(e) => setHex(e.target.value)}
          placeholder={HEX_EXAMPLE} className={`${INPUT} font-mono text-xs`}
          aria-invalid={parsedHex?.ok === false ? true : undefined}
        />
        <div className="flex items-center justify-between gap-2">
          <span className="text-xs text-slate-500">
            {parsedHex?.ok ? t('bench.bytes', { count: parsedHex.bytes }) : t('bench.hexHint')}
          </span>
          <Button onClick={decode} disabled={busy !== null || source === undefined}>
            <i className="fa fa-arrow-down" aria-hidden /> {busy === 'decode' ? t('bench.decoding') : t('bench.decode')}
          </Button>
        </div>
        <RunOutcome run={decoded} testId="decode-result" stale={decoded?.source !== undefined && decoded.source !== source} />
      </section>

      <section aria-label={t('bench.encodeRegion')} className="space-y-2 border-t border-slate-100 pt-4">
        <label htmlFor="bench-command" className="block text-sm font-medium text-slate-700">{t('bench.command')}</label>
        <textarea
          id="bench-command" rows={7} spellCheck={false} value={commandText} onChange={(e) => setCommand(e.target.value)}
          className={`${INPUT} font-mono text-xs`}
        />
        <div className="flex items-center justify-between gap-2">
          <span className="text-xs text-slate-500">{richText(t('bench.kinds'), { code: (text) => <code>{text}</code> })}</span>
          <Button onClick={encode} disabled={busy !== null || source === undefined}>
            <i className="fa fa-arrow-up" aria-hidden /> {busy === 'encode' ? t('bench.encoding') : t('bench.encode')}
          </Button>
        </div>
        <RunOutcome run={encoded} testId="encode-result" stale={encoded?.source !== undefined && encoded.source !== source} />
      </section>
    </Panel>
  );
}

function RunOutcome({ run, testId, stale }: { run: Run | null; testId: string; stale: boolean }) {
  if (!run) return null;
  return (
    <>
      {stale && <p className="text-xs text-slate-500"><i className="fa fa-history" aria-hidden /> {t('bench.stale')}</p>}
      <div className={stale ? 'opacity-60' : undefined}><Outcome run={run} testId={testId} /></div>
    </>
  );
}

function Outcome({ run, testId }: { run: Run; testId: string }) {
  if ('failed' in run) return <ErrorNote error={run.failed} />;
  if ('input' in run) return <p role="alert" className="text-sm text-red-700">{run.input}</p>;
  const { result } = run;
  if (!result.ok) {
    const { kind, message, line, column } = result.error;
    return (
      <div role="alert" data-testid={testId} className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        <p className="flex flex-wrap items-center gap-2">
          <Badge tone="red">{kind}</Badge>
          {line !== undefined && <span className="text-xs">{column !== undefined ? t('bench.lineColumn', { line, column }) : t('bench.line', { line })}</span>}
        </p>
        <p className="mt-1 break-words font-mono text-xs">{message}</p>
      </div>
    );
  }
  if ('hex' in result) {
    return (
      <div data-testid={testId} className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2">
        <p className="text-xs font-medium text-emerald-800">{t('bench.toDevice', { count: result.hex.length / 2 })}</p>
        <p className="mt-1 break-all font-mono text-sm text-slate-900">{spacedHex(result.hex) || t('bench.none')}</p>
      </div>
    );
  }
  return (
    <div data-testid={testId} className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2">
      <p className="text-xs font-medium text-emerald-800">
        {result.messages.length === 0 ? t('bench.noMessages') : t('bench.messages', { count: result.messages.length })}
      </p>
      {result.messages.length > 0 && (
        <pre className="mt-1 max-h-80 overflow-auto whitespace-pre-wrap break-words font-mono text-xs text-slate-900">{JSON.stringify(result.messages, null, 2)}</pre>
      )}
    </div>
  );
}
