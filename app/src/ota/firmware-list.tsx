/**
 * The Firmware tab: every image of every product's modules, newest first, filtered by product and module (in the
 * URL), with its version code, size, hashes, the versions it installs over and its notes. Engineers and admins upload,
 * roll out, edit (notes, source versions, extData) and delete.
 */
import { Fragment, useState } from 'react';
import type { Product } from '../../../domain/products/product-schemas.ts';
import { useSearch } from '../alerts/use-search.ts';
import { LINK_BUTTON } from '../alerts/alert-action-buttons.tsx';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import { Link, pathOf } from '../routing.ts';
import { useCan } from '../session.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Field, INPUT } from '../ui/field.tsx';
import { Pager } from '../ui/pager.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { queryString, useApi } from '../use-api.ts';
import { FirmwareEditDialog } from './firmware-edit-dialog.tsx';
import { FirmwareUploadDialog } from './firmware-upload-dialog.tsx';
import { HashValue } from './ota-badges.tsx';
import { deleteFirmware, newCampaignHref, type Firmware, type FirmwarePage } from './ota-api.ts';
import { constraintText, formatBytes, shortHash } from './ota-format.ts';
import { t } from './ota.messages.ts';

const PAGE_SIZE = 25;
/** Names of hash algorithms, as they are written everywhere. */
const SHA256_LABEL = 'SHA-256';
const MD5_LABEL = 'MD5';

export type ProductChoice = Pick<Product, 'productKey' | 'name'>;

export function FirmwareList({ uploading, onUploading }: { uploading: boolean; onUploading(open: boolean): void }) {
  const [search, setSearch] = useSearch();
  const productKey = search.get('productKey') ?? '';
  const module = search.get('module') ?? '';
  const offset = Math.max(0, Number.parseInt(search.get('offset') ?? '0', 10) || 0);
  const canWrite = useCan('ota:write');
  const products = useApi<{ items: ProductChoice[] }>('/products');
  const list = useApi<FirmwarePage>(`/firmware${queryString({ productKey, module, limit: PAGE_SIZE, offset })}`);
  const [editing, setEditing] = useState<Firmware>();
  const [deleting, setDeleting] = useState<Firmware>();
  const [deleteBusy, setDeleteBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>();
  const filtered = productKey !== '' || module !== '';
  const productItems = products.data?.items ?? [];
  const names = new Map(productItems.map((p) => [p.productKey, p.name]));

  const setFilter = (changes: Record<string, string | undefined>) => setSearch({ ...changes, offset: undefined }, { replace: true });

  const remove = async () => {
    if (!deleting) return;
    setDeleteBusy(true);
    setDeleteError(undefined);
    try {
      await deleteFirmware(deleting.id);
      setDeleting(undefined);
      void list.reload();
    } catch (err) {
      setDeleteError(err);
    } finally {
      setDeleteBusy(false);
    }
  };

  const page = list.data;
  return (
    <div className="space-y-4">
      <form
        role="search"
        aria-label={t('firmware.filter')}
        onSubmit={(e) => e.preventDefault()}
        className="grid grid-cols-2 gap-3 rounded-lg border border-slate-200 bg-white p-3 shadow-sm md:grid-cols-4"
      >
        <Field label={t('label.product')}>
          <select className={INPUT} value={productKey} onChange={(e) => setFilter({ productKey: e.target.value })}>
            <option value="">{t('label.allProducts')}</option>
            {productItems.map((p) => <option key={p.productKey} value={p.productKey}>{p.name} ({p.productKey})</option>)}
            {productKey && !names.has(productKey) && <option value={productKey}>{productKey}</option>}
          </select>
        </Field>
        <ModuleFilter value={module} onChange={(m) => setFilter({ module: m })} />
        {filtered && (
          <div className="flex items-end">
            <Button variant="ghost" onClick={() => setSearch({ productKey: undefined, module: undefined, offset: undefined }, { replace: true })}>
              <i aria-hidden className="fa fa-times" /> {t('label.clearFilters')}
            </Button>
          </div>
        )}
      </form>

      {list.error && <ErrorNote error={list.error} />}
      {list.loading ? (
        <Loading what={t('loading.firmware')} />
      ) : !page ? null : page.total === 0 ? (
        filtered ? (
          <EmptyState title={t('firmware.noMatch')} action={<Button onClick={() => setSearch({ productKey: undefined, module: undefined, offset: undefined })}>{t('label.clearFilters')}</Button>}>
            {productKey
              ? richText(t(module ? 'firmware.noneForModule' : 'firmware.noneForProduct'), {
                pk: () => <code className="font-mono">{productKey}</code>,
                module: () => <code className="font-mono">{module}</code>,
              })
              : t('firmware.tryModule')}
          </EmptyState>
        ) : (
          <EmptyState
            title={t('firmware.none')}
            action={canWrite && <Button variant="primary" onClick={() => onUploading(true)}><i aria-hidden className="fa fa-upload" /> {t('label.uploadFirmware')}</Button>}
          >
            {t('firmware.noneHint')}{canWrite ? '' : t('firmware.noneWho')}
          </EmptyState>
        )
      ) : (
        <>
          <p className="text-sm text-slate-600">
            {t('firmware.count', { count: page.total })}
          </p>
          <Table label={t('label.firmware')}>
            <thead>
              <tr>
                <Th>{t('label.version')}</Th>
                <Th>{t('label.image')}</Th>
                <Th>{t('firmware.hashes')}</Th>
                <Th>{t('label.installsOver')}</Th>
                <Th>{t('label.releaseNotes')}</Th>
                <Th>{t('firmware.uploaded')}</Th>
                {canWrite && <Th><span className="sr-only">{t('firmware.actions')}</span></Th>}
              </tr>
            </thead>
            <TBody>
              {groups(page.items).map(({ key, productKey: pk, module: m, items }) => (
                <Fragment key={key}>
                  <tr className="bg-slate-50/70" data-group={key}>
                    <th scope="rowgroup" colSpan={canWrite ? 7 : 6} className="px-3 py-1.5 text-left text-xs font-medium text-slate-600">
                      <Link to={pathOf('products', pk)} className="text-sky-800 hover:underline">{names.get(pk) ?? pk}</Link>
                      {names.has(pk) && names.get(pk) !== pk && <span className="ml-1 font-mono font-normal text-slate-500">{pk}</span>}
                      <span className="mx-1.5 text-slate-300">/</span>
                      {t('word.module')} <span className="font-mono text-slate-800">{m}</span>
                    </th>
                  </tr>
                  {items.map((f) => (
                    <tr key={f.id} data-firmware={f.id} aria-label={`${f.productKey} ${f.module} ${f.version}`}>
                      <Td className="whitespace-nowrap">
                        <span className="font-mono font-semibold text-slate-900">{f.version}</span>
                        <span className="block font-mono text-xs text-slate-500" title={t('firmware.codeTitle')}>{t('code', { code: String(f.versionCode) })}</span>
                      </Td>
                      <Td>
                        <span className="block whitespace-nowrap" title={t('bytes', { count: f.size })}>{formatBytes(f.size)}</span>
                        <span className="block max-w-[10rem] truncate font-mono text-xs text-slate-500" title={f.fileName}>{f.fileName || '—'}</span>
                      </Td>
                      <Td>
                        <HashValue label={SHA256_LABEL} hex={f.sha256} />
                        <span className="mt-0.5 flex items-center gap-1 whitespace-nowrap">
                          <span className="w-14 text-xs text-slate-500">{MD5_LABEL}</span>
                          <code className="font-mono text-xs text-slate-700" title={f.md5}>{shortHash(f.md5)}</code>
                        </span>
                      </Td>
                      <Td className="max-w-[10rem] text-xs text-slate-700">
                        {constraintText(f.constraint) || <span className="text-slate-400">{t('firmware.anyOlder')}</span>}
                      </Td>
                      <Td className="min-w-[10rem] max-w-[18rem]">
                        {f.releaseNotes ? (
                          <span className="line-clamp-2 text-xs text-slate-700" title={f.releaseNotes}>{f.releaseNotes}</span>
                        ) : <span className="text-slate-400">—</span>}
                      </Td>
                      <Td className="whitespace-nowrap text-xs">
                        <span title={formatTime(f.createdAt)}><TimeAgo at={f.createdAt} /></span>
                        <span className="block text-slate-500">{t('firmware.uploadedBy', { user: f.createdBy })}</span>
                      </Td>
                      {canWrite && (
                        <Td className="whitespace-nowrap text-right">
                          <span className="inline-flex gap-1">
                            <Link to={newCampaignHref(f.id)} className={`${LINK_BUTTON} !px-2 !py-1 !text-xs`} aria-label={t('firmware.rollOutLabel', { module: f.module, version: f.version })}>
                              <i aria-hidden className="fa fa-rocket" /> {t('firmware.rollOut')}
                            </Link>
                            <Button size="sm" variant="ghost" aria-label={t('edit.title', { module: f.module, version: f.version })} title={t('firmware.editTitle')} onClick={() => setEditing(f)}>
                              <i aria-hidden className="fa fa-pencil" />
                            </Button>
                            <Button
                              size="sm"
                              variant="ghost"
                              aria-label={t('firmware.deleteLabel', { module: f.module, version: f.version })}
                              title={tc('delete')}
                              onClick={() => {
                                setDeleteError(undefined);
                                setDeleting(f);
                              }}
                            >
                              <i aria-hidden className="fa fa-trash-o" />
                            </Button>
                          </span>
                        </Td>
                      )}
                    </tr>
                  ))}
                </Fragment>
              ))}
            </TBody>
          </Table>
          <Pager total={page.total} limit={PAGE_SIZE} offset={offset} onOffset={(o) => setSearch({ offset: o ? String(o) : undefined })} />
        </>
      )}

      {canWrite && (
        <FirmwareUploadDialog
          open={uploading}
          onOpenChange={onUploading}
          products={productItems}
          defaultProductKey={productKey || undefined}
          defaultModule={module || undefined}
          onUploaded={() => void list.reload()}
        />
      )}
      {canWrite && <FirmwareEditDialog firmware={editing} onClose={() => setEditing(undefined)} onSaved={() => void list.reload()} />}
      <ConfirmDialog
        open={deleting !== undefined}
        onOpenChange={(open) => !open && setDeleting(undefined)}
        title={deleting ? t('firmware.deleteTitle', { module: deleting.module, version: deleting.version }) : t('firmware.deleteTitlePlain')}
        confirmLabel={t('firmware.deleteConfirm')}
        busy={deleteBusy}
        onConfirm={() => void remove()}
        error={deleteError ? <ErrorNote error={deleteError} /> : undefined}
      >
        {deleting && richText(t('firmware.deleteBody'), {
          file: () => <code className="font-mono">{deleting.fileName || `#${deleting.id}`}</code>,
          pk: () => <code className="font-mono">{deleting.productKey}</code>,
        })}
      </ConfirmDialog>
    </div>
  );
}

/** The page's images by product and module (in the order each first appears), newest version first in each. */
function groups(items: readonly Firmware[]): { key: string; productKey: string; module: string; items: Firmware[] }[] {
  const byKey = new Map<string, { key: string; productKey: string; module: string; items: Firmware[] }>();
  for (const f of items) {
    const key = `${f.productKey}/${f.module}`;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { key, productKey: f.productKey, module: f.module, items: [] }));
    group.items.push(f);
  }
  for (const group of byKey.values()) group.items.sort((a, b) => b.versionCode - a.versionCode);
  return [...byKey.values()];
}

/** The module filter: typed, applied on Enter or when the box is left. */
function ModuleFilter({ value, onChange }: { value: string; onChange(value: string): void }) {
  const [draft, setDraft] = useState(value);
  const [draftOf, setDraftOf] = useState(value);
  if (draftOf !== value) {
    setDraftOf(value);
    setDraft(value);
  }
  const apply = () => {
    if (draft.trim() !== value) onChange(draft.trim());
  };
  return (
    <Field label={t('label.module')}>
      <input
        type="search"
        className={INPUT}
        value={draft}
        placeholder={t('firmware.anyModule')}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => {
          if (e.key === 'Enter') apply();
        }}
      />
    </Field>
  );
}
