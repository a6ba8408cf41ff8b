import { useState } from 'react';
import { apiRequest } from '../api.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import { roleLabel, type ApiToken } from './user-types.ts';
import { t } from './users.messages.ts';
import { useNow } from '../devices/device-detail-api.ts';

/**
 * API tokens as a table (name, role, dates; never the token) with a revoke button each, asked once more before the
 * token is revoked at `revokePath(token)`. My account lists mine; an admin lists anyone's.
 */
export function TokenTable({ items, revokePath, whose, onRevoked }: {
  items: readonly ApiToken[];
  revokePath(token: ApiToken): string;
  /** Whose scripts lose access, for the confirmation ("Scripts using this token…"). */
  whose?: string;
  onRevoked(): void | Promise<void>;
}) {
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const [state, setState] = useState<{ busy: boolean; error?: unknown }>({ busy: false });
  // A token open in the table can pass its expiry.
  const now = useNow(60_000);

  const revoke = async () => {
    if (!revoking) return;
    setState({ busy: true });
    try {
      await apiRequest('DELETE', revokePath(revoking));
      setRevoking(null);
      setState({ busy: false });
      await onRevoked();
    } catch (err) {
      setState({ busy: false, error: err });
    }
  };

  return (
    <>
      <Table label={t('tokens.title')}>
        <thead>
          <tr>
            <Th>{t('tokens.col.name')}</Th>
            <Th>{t('tokens.col.role')}</Th>
            <Th>{t('tokens.col.created')}</Th>
            <Th>{t('tokens.col.expires')}</Th>
            <Th>{t('tokens.col.lastUsed')}</Th>
            <Th><span className="sr-only">{t('tokens.col.actions')}</span></Th>
          </tr>
        </thead>
        <TBody>
          {items.map((token) => {
            const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() < now;
            return (
              <tr key={token.id} aria-label={token.name}>
                <Td className="font-medium">{token.name}</Td>
                <Td>{roleLabel(token.role)}</Td>
                <Td className="whitespace-nowrap text-slate-600">{formatTime(token.createdAt)}</Td>
                <Td className="whitespace-nowrap">
                  {token.expiresAt === null ? <span className="text-slate-500">{t('tokens.neverExpires')}</span> : (
                    <span className={expired ? 'font-medium text-red-700' : 'text-slate-600'}>{expired ? t('tokens.expired', { time: formatTime(token.expiresAt) }) : formatTime(token.expiresAt)}</span>
                  )}
                </Td>
                <Td className="whitespace-nowrap"><TimeAgo at={token.lastUsedAt} /></Td>
                <Td className="text-right">
                  <Button size="sm" variant="danger" aria-label={t('tokens.revokeLabel', { name: token.name })} onClick={() => { setState({ busy: false }); setRevoking(token); }}>{t('tokens.revoke')}</Button>
                </Td>
              </tr>
            );
          })}
        </TBody>
      </Table>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={t('tokens.revokeTitle', { name: revoking?.name ?? '' })}
        confirmLabel={t('tokens.revokeConfirm')}
        busy={state.busy}
        onConfirm={() => void revoke()}
        error={state.error !== undefined && <ErrorNote error={state.error} />}
      >
        {whose ? t('tokens.revokeBodyOf', { user: whose }) : t('tokens.revokeBody')}
      </ConfirmDialog>
    </>
  );
}
