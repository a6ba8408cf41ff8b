/**
 * The flows as tabs (subflows after them): click to show one, double-click to rename, "+" to add one; the active
 * tab's menu disables/enables or deletes it (after asking). A disabled flow is shown struck through, as in Node-RED.
 * A read-only store (a user who cannot change flows) gets the tabs to switch between only.
 */
import { useCallback, useState } from 'react';
import { useFlowEditor, useFlowStore } from '../editor-context.tsx';
import { selectTabs, type TabEntry } from '../model/flow-selectors.ts';
import { BUTTON, Modal, ModalActions, PRIMARY_BUTTON } from '../ui/modal.tsx';
import { DropdownMenu } from '../ui/popup-menu.tsx';
import { t } from '../editor.messages.ts';
import { tc } from '../i18n.ts';

export function TabBar() {
  const { store } = useFlowEditor();
  const tabs = useFlowStore(selectTabs);
  const activeTab = useFlowStore((s) => s.activeTab);
  const readOnly = useFlowStore((s) => s.readOnly);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [menu, setMenu] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<TabEntry | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);

  return (
    <div role="tablist" aria-label={t('tabs.label')} className="flex h-9 shrink-0 items-end gap-0.5 overflow-x-auto border-b border-slate-300 bg-slate-100 px-2">
      {tabs.map((tab) => {
        const active = tab.id === activeTab;
        return (
          // A tab is named by its user: the name is data, not words to translate (translate="no").
          <div key={tab.id} className="relative shrink-0" translate="no">
            {renaming === tab.id ? (
              <RenameField
                tab={tab}
                onDone={(label) => {
                  setRenaming(null);
                  if (label !== null && label.trim() !== '' && label !== tab.label) store.getState().renameTab(tab.id, label.trim());
                }}
              />
            ) : (
              <div className={`flex h-8 items-center rounded-t border border-b-0 ${active ? 'border-slate-300 bg-white' : 'border-transparent hover:bg-slate-200'}`}>
                <button
                  type="button" role="tab" aria-selected={active} title={tab.kind === 'subflow' ? t('tabs.subflow', { label: tab.label }) : tab.label}
                  onClick={() => store.getState().setActiveTab(tab.id)}
                  onDoubleClick={readOnly ? undefined : () => setRenaming(tab.id)}
                  className={`flex h-full items-center gap-1 px-3 text-sm ${active ? 'font-medium text-slate-900' : 'text-slate-600'} ${tab.disabled ? 'line-through opacity-60' : ''}`}
                >
                  {tab.kind === 'subflow' && <span className="text-xs text-slate-400">⧉</span>}
                  <span className="whitespace-nowrap">{tab.label}</span>
                </button>
                {active && !readOnly && (
                  <button
                    type="button" aria-label={t('tabs.options', { label: tab.label })} aria-haspopup="menu" aria-expanded={menu === tab.id}
                    onClick={() => setMenu(menu === tab.id ? null : tab.id)}
                    className="mr-1 rounded px-1 text-slate-400 hover:bg-slate-200 hover:text-slate-700"
                  >
                    ▾
                  </button>
                )}
              </div>
            )}
            {menu === tab.id && (
              <DropdownMenu className="absolute left-0 top-full z-20 mt-0.5 w-40 rounded border border-slate-200 bg-white py-1 text-sm shadow-lg" onClose={closeMenu}>
                <MenuItem label={t('tabs.rename')} onClick={() => { setMenu(null); setRenaming(tab.id); }} />
                {tab.kind === 'tab' && (
                  <MenuItem
                    label={tab.disabled ? t('tabs.enable') : t('tabs.disable')}
                    onClick={() => { setMenu(null); store.getState().disableTab(tab.id, !tab.disabled); }}
                  />
                )}
                <MenuItem label={tab.kind === 'tab' ? t('tabs.deleteFlow') : t('tabs.deleteSubflow')} danger onClick={() => { setMenu(null); setDeleting(tab); }} />
              </DropdownMenu>
            )}
          </div>
        );
      })}
      {!readOnly && (
        <button type="button" aria-label={t('tabs.add')} title={t('tabs.addTitle')} onClick={() => store.getState().addTab()} className="mb-1 ml-1 rounded px-2 text-lg leading-6 text-slate-500 hover:bg-slate-200">
          +
        </button>
      )}
      {deleting && (
        <Modal title={t('tabs.deleteTitle', { label: deleting.label })} onClose={() => setDeleting(null)}>
          <p className="text-sm text-slate-700">
            {deleting.kind === 'tab' ? t('tabs.deleteFlowText') : t('tabs.deleteSubflowText')}
          </p>
          <ModalActions>
            <button type="button" className={BUTTON} onClick={() => setDeleting(null)}>{tc('cancel')}</button>
            <button type="button" className={PRIMARY_BUTTON} onClick={() => { store.getState().deleteTab(deleting.id); setDeleting(null); }}>{tc('delete')}</button>
          </ModalActions>
        </Modal>
      )}
    </div>
  );
}

function MenuItem({ label, onClick, danger = false }: { label: string; onClick(): void; danger?: boolean }) {
  return (
    <button type="button" role="menuitem" onClick={onClick} className={`block w-full px-3 py-1 text-left hover:bg-slate-100 ${danger ? 'text-red-700' : 'text-slate-800'}`}>
      {label}
    </button>
  );
}

/** The tab's name as a field: Enter or leaving it keeps the name, Escape drops it. */
function RenameField({ tab, onDone }: { tab: TabEntry; onDone(label: string | null): void }) {
  const [value, setValue] = useState(tab.label);
  return (
    <input
      aria-label={t('tabs.name')} autoFocus value={value} onChange={(e) => setValue(e.target.value)}
      onFocus={(e) => e.target.select()}
      onBlur={() => onDone(value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onDone(value);
        if (e.key === 'Escape') onDone(null);
      }}
      className="h-8 w-40 rounded-t border border-b-0 border-sky-500 bg-white px-2 text-sm outline-none"
    />
  );
}
