/**
 * Creates a product, optionally with its thing model from a TSL JSON file (Alibaba's console export, say): the
 * product from the form, then the file as its draft, then, if asked, the draft published as version 1. The product
 * secret the API shows only once is shown at the end.
 */
import { useState, type FormEvent } from 'react';
import { ApiError, apiRequest } from '../api.ts';
import { navigate } from '../routing.ts';
import { Button } from '../ui/button.tsx';
import { CopyBlock } from '../ui/copy-button.tsx';
import { Dialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { featureCounts, readTslFile } from '../thing-model/tsl-file.ts';
import { checkTslCoded } from '../../../domain/thing-model/tsl-problems.ts';
import { tslProblemText } from '../thing-model/tsl-problems.messages.ts';
import { allPlaced, DIALECTS, fieldErrors, NODE_TYPES, PRODUCT_KEY_PATTERN, productPath, type Dialect, type NodeType, type Product } from './product-api.ts';
import { t } from './products.messages.ts';

const FIELDS = { name: ['/name'], productKey: ['/productKey'], description: ['/description'], dialect: ['/dialect'], nodeType: ['/nodeType'] } as const;

interface Created {
  product: Product;
  productSecret: string;
  /** What became of the thing model file. */
  thingModel: { state: 'none' } | { state: 'draft' | 'published'; summary: string; version?: number } | { state: 'failed'; error: unknown; summary: string };
}

export function NewProductDialog({ open, onOpenChange, onCreated }: { open: boolean; onOpenChange(open: boolean): void; onCreated(): void }) {
  const [name, setName] = useState('');
  const [productKey, setProductKey] = useState('');
  const [description, setDescription] = useState('');
  const [dialect, setDialect] = useState<Dialect>('alink');
  const [nodeType, setNodeType] = useState<NodeType>('direct');
  const [file, setFile] = useState<{ name: string; doc: Record<string, unknown>; problems: number } | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [publish, setPublish] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<Created | null>(null);

  const reset = () => {
    setName('');
    setProductKey('');
    setDescription('');
    setDialect('alink');
    setFile(null);
    setFileError(null);
    setPublish(false);
    setError(null);
    setLocal({});
    setCreated(null);
  };
  const close = () => {
    onOpenChange(false);
    reset();
  };

  const chooseFile = async (chosen: File | undefined) => {
    setFile(null);
    setFileError(null);
    if (!chosen) return;
    const result = await readTslFile(chosen);
    if (!result.ok) {
      setFileError(result.message);
      return;
    }
    const problems = checkTslCoded(result.doc);
    setFile({ name: chosen.name, doc: result.doc, problems: problems.length });
    if (problems.length > 0) {
      const first = problems[0]!;
      setFileError(t('new.fileProblems', { file: chosen.name, count: problems.length, path: first.path, message: tslProblemText(first) }));
    }
    // Alibaba's export names the product it came from: a good key for the new one.
    const fromFile = (result.doc.profile as { productKey?: unknown } | undefined)?.productKey;
    if (!productKey && typeof fromFile === 'string' && PRODUCT_KEY_PATTERN.test(fromFile)) setProductKey(fromFile);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === '') problems.name = t('problem.name');
    if (productKey !== '' && !PRODUCT_KEY_PATTERN.test(productKey)) problems.productKey = t('new.problem.productKey');
    setLocal(problems);
    if (Object.keys(problems).length > 0 || (file && file.problems > 0)) return;
    setBusy(true);
    setError(null);
    try {
      const body = { name: name.trim(), ...(productKey ? { productKey } : {}), ...(description ? { description } : {}), dialect, nodeType };
      const { productSecret, ...product } = await apiRequest<Product & { productSecret: string }>('POST', '/products', body);
      let thingModel: Created['thingModel'] = { state: 'none' };
      if (file) {
        const summary = featureCounts(file.doc);
        try {
          await apiRequest('PUT', `${productPath(product.productKey)}/thing-model/draft`, file.doc);
          thingModel = { state: 'draft', summary };
          if (publish) {
            const v = await apiRequest<{ version: number }>('POST', `${productPath(product.productKey)}/thing-model/publish`);
            thingModel = { state: 'published', summary, version: v.version };
          }
        } catch (err) {
          thingModel = { state: 'failed', error: err, summary };
        }
      }
      setCreated({ product, productSecret, thingModel });
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  if (created) {
    const { product, productSecret, thingModel } = created;
    const openProduct = () => {
      const tab = thingModel.state === 'none' ? '' : '?tab=thing-model';
      close();
      navigate(`${productPath(product.productKey)}${tab}`);
    };
    return (
      <Dialog
        open={open} onOpenChange={(o) => !o && close()} title={t('created.title', { name: product.name })}
        description={richText(t('created.key', { key: product.productKey }), { code: (key) => <code className="font-mono">{key}</code> })}
        footer={<><Button onClick={close}>{tc('close')}</Button><Button variant="primary" onClick={openProduct}>{t('created.open')}</Button></>}
      >
        <div className="space-y-4 text-sm text-slate-700">
          {thingModel.state === 'draft' && <p role="status">{t('created.draft', { summary: thingModel.summary })}</p>}
          {thingModel.state === 'published' && <p role="status">{t('created.published', { version: thingModel.version, summary: thingModel.summary })}</p>}
          {thingModel.state === 'failed' && (
            <div className="space-y-2">
              <p>{t('created.failed')}</p>
              <ErrorNote error={thingModel.error} />
              <p>{t('created.failedHint')}</p>
            </div>
          )}
          <div>
            <p className="mb-1 font-medium text-slate-800">{t('field.productSecret')}</p>
            <CopyBlock id="new-product-secret" label={t('field.productSecret')} text={productSecret} />
            <p className="mt-1 text-xs text-slate-500">
              {t('created.secretHint')}
            </p>
          </div>
        </div>
      </Dialog>
    );
  }

  const apiErrors = fieldErrors(error, FIELDS);
  if (error instanceof ApiError && error.code === 'product_exists') apiErrors.productKey = error.message;
  const errorFor = (field: keyof typeof FIELDS) => local[field] ?? apiErrors[field];
  const generalError = error && !(error instanceof ApiError && (error.code === 'product_exists' || allPlaced(error, FIELDS))) ? error : null;

  return (
    <Dialog
      open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())} title={t('new.title')}
      description={t('new.description')}
      footer={
        <>
          <Button onClick={close}>{tc('cancel')}</Button>
          <Button variant="primary" type="submit" form="new-product-form" disabled={busy}>
            {busy ? t('new.creating') : file ? (publish ? t('new.createAndPublish') : t('new.createWithModel')) : t('new.create')}
          </Button>
        </>
      }
    >
      <form id="new-product-form" onSubmit={submit} className="-mx-1 max-h-[60vh] space-y-4 overflow-y-auto px-1 pb-1" aria-label={t('new.title')} noValidate>
        <Field label={t('field.name')} error={errorFor('name')}>
          <input className={INPUT} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus placeholder={t('new.namePlaceholder')} />
        </Field>
        <Field label={t('field.productKey')} error={errorFor('productKey')} hint={t('new.productKeyHint')}>
          <input className={`${INPUT} font-mono`} value={productKey} onChange={(e) => setProductKey(e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field label={t('field.description')} error={errorFor('description')}>
          <textarea className={INPUT} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
        </Field>
        <Field label={t('field.dialect')} error={errorFor('dialect')} hint={t('new.dialectHint')}>
          <select className={INPUT} value={dialect} onChange={(e) => setDialect(e.target.value as Dialect)}>
            {DIALECTS.map((d) => <option key={d.value} value={d.value}>{d.label()}</option>)}
          </select>
        </Field>
        <Field label={t('field.nodeType')} error={errorFor('nodeType')} hint={t('new.nodeTypeHint')}>
          <select className={INPUT} value={nodeType} onChange={(e) => setNodeType(e.target.value as NodeType)}>
            {NODE_TYPES.map((n) => <option key={n.value} value={n.value}>{n.label()}</option>)}
          </select>
        </Field>
        <fieldset className="rounded-md border border-slate-200 bg-slate-50 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">{t('new.thingModelLegend')}</legend>
          <Field
            label={t('new.file')} error={fileError ?? undefined}
            hint={file ? t('new.fileFound', { summary: featureCounts(file.doc) }) : t('new.fileHint')}
          >
            <input
              type="file" accept=".json,application/json"
              className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:text-slate-800 hover:file:bg-slate-50"
              onChange={(e) => void chooseFile(e.target.files?.[0])}
            />
          </Field>
          <label className="mt-3 flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" className="mt-0.5" checked={publish} disabled={!file} onChange={(e) => setPublish(e.target.checked)} />
            <span>{t('new.publishNow')}</span>
          </label>
        </fieldset>
        {generalError ? <ErrorNote error={generalError} /> : null}
      </form>
    </Dialog>
  );
}
