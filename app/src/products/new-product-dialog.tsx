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
import { featureCounts, readTslFile } from '../thing-model/tsl-file.ts';
import { checkTsl } from '../../../domain/thing-model/tsl-problems.ts';
import { allPlaced, DIALECTS, fieldErrors, NODE_TYPES, PRODUCT_KEY_PATTERN, productPath, type Dialect, type NodeType, type Product } from './product-api.ts';

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
    const problems = checkTsl(result.doc);
    setFile({ name: chosen.name, doc: result.doc, problems: problems.length });
    if (problems.length > 0) {
      const first = problems[0]!;
      setFileError(`${chosen.name} has ${problems.length} problem${problems.length === 1 ? '' : 's'} the server would refuse, first ${first.path}: ${first.message}. Fix the file, or create the product without it and import the file in its thing model editor.`);
    }
    // Alibaba's export names the product it came from: a good key for the new one.
    const fromFile = (result.doc.profile as { productKey?: unknown } | undefined)?.productKey;
    if (!productKey && typeof fromFile === 'string' && PRODUCT_KEY_PATTERN.test(fromFile)) setProductKey(fromFile);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (name.trim() === '') problems.name = 'Give the product a name.';
    if (productKey !== '' && !PRODUCT_KEY_PATTERN.test(productKey)) problems.productKey = 'Use 1 to 32 letters, digits, _ or -.';
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
        open={open} onOpenChange={(o) => !o && close()} title={`Created ${product.name}`}
        description={<>Product key <code className="font-mono">{product.productKey}</code>.</>}
        footer={<><Button onClick={close}>Close</Button><Button variant="primary" onClick={openProduct}>Open the product</Button></>}
      >
        <div className="space-y-4 text-sm text-slate-700">
          {thingModel.state === 'draft' && <p role="status">Thing model imported as the draft: {thingModel.summary}. Publish it from the product’s Thing model tab.</p>}
          {thingModel.state === 'published' && <p role="status">Thing model imported and published as version {thingModel.version}: {thingModel.summary}.</p>}
          {thingModel.state === 'failed' && (
            <div className="space-y-2">
              <p>The product was created, but its thing model was not saved:</p>
              <ErrorNote error={thingModel.error} />
              <p>Open the product and import the file in its Thing model tab to see each problem at its field.</p>
            </div>
          )}
          <div>
            <p className="mb-1 font-medium text-slate-800">Product secret</p>
            <CopyBlock id="new-product-secret" label="Product secret" text={productSecret} />
            <p className="mt-1 text-xs text-slate-500">
              Only devices that register themselves (dynamic registration) need it. It is shown this once; an admin can reveal it later.
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
      open={open} onOpenChange={(o) => (o ? onOpenChange(true) : close())} title="New product"
      description="A product is a kind of device. Its devices share its thing model and how they sign in."
      footer={
        <>
          <Button onClick={close}>Cancel</Button>
          <Button variant="primary" type="submit" form="new-product-form" disabled={busy}>
            {busy ? 'Creating…' : file ? (publish ? 'Create and publish' : 'Create with thing model') : 'Create product'}
          </Button>
        </>
      }
    >
      <form id="new-product-form" onSubmit={submit} className="-mx-1 max-h-[60vh] space-y-4 overflow-y-auto px-1 pb-1" aria-label="New product" noValidate>
        <Field label="Name" error={errorFor('name')}>
          <input className={INPUT} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} autoFocus placeholder="Room sensor" />
        </Field>
        <Field label="Product key" error={errorFor('productKey')} hint="Optional: letters, digits, _ and -, up to 32. Left empty, an 11-character key is generated.">
          <input className={`${INPUT} font-mono`} value={productKey} onChange={(e) => setProductKey(e.target.value)} autoComplete="off" spellCheck={false} />
        </Field>
        <Field label="Description" error={errorFor('description')}>
          <textarea className={INPUT} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
        </Field>
        <Field label="Topic dialect" error={errorFor('dialect')} hint="How its devices name MQTT topics; both sign in the same way.">
          <select className={INPUT} value={dialect} onChange={(e) => setDialect(e.target.value as Dialect)}>
            {DIALECTS.map((d) => <option key={d.value} value={d.value}>{d.label}</option>)}
          </select>
        </Field>
        <Field label="Node type" error={errorFor('nodeType')} hint="Whether its devices connect by themselves, speak for sub-devices, or are reached through a gateway. It cannot be changed later.">
          <select className={INPUT} value={nodeType} onChange={(e) => setNodeType(e.target.value as NodeType)}>
            {NODE_TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
          </select>
        </Field>
        <fieldset className="rounded-md border border-slate-200 bg-slate-50 p-3">
          <legend className="px-1 text-sm font-medium text-slate-700">Thing model (optional)</legend>
          <Field
            label="TSL JSON file" error={fileError ?? undefined}
            hint={file ? `Found ${featureCounts(file.doc)}.` : 'Alibaba’s TSL export, or one exported here. Without a file the product starts with an empty thing model.'}
          >
            <input
              type="file" accept=".json,application/json"
              className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:text-slate-800 hover:file:bg-slate-50"
              onChange={(e) => void chooseFile(e.target.files?.[0])}
            />
          </Field>
          <label className="mt-3 flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" className="mt-0.5" checked={publish} disabled={!file} onChange={(e) => setPublish(e.target.checked)} />
            <span>Publish it as version 1 right away (otherwise it is saved as the draft, to review before publishing)</span>
          </label>
        </fieldset>
        {generalError ? <ErrorNote error={generalError} /> : null}
      </form>
    </Dialog>
  );
}
