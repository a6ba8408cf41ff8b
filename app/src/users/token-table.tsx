import { useState } from 'react';
import { apiRequest } from '../api.ts';
import { Button } from '../ui/button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { ErrorNote } from '../ui/feedback.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime, TimeAgo } from '../ui/time.tsx';
import type { ApiToken } from './user-types.ts';
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
      <Table label="API tokens">
        <thead>
          <tr>
            <Th>Name</Th>
            <Th>Role</Th>
            <Th>Created</Th>
            <Th>Expires</Th>
            <Th>Last used</Th>
            <Th><span className="sr-only">Actions</span></Th>
          </tr>
        </thead>
        <TBody>
          {items.map((t) => {
            const expired = t.expiresAt !== null && new Date(t.expiresAt).getTime() < now;
            return (
              <tr key={t.id} aria-label={t.name}>
                <Td className="font-medium">{t.name}</Td>
                <Td>{t.role}</Td>
                <Td className="whitespace-nowrap text-slate-600">{formatTime(t.createdAt)}</Td>
                <Td className="whitespace-nowrap">
                  {t.expiresAt === null ? <span className="text-slate-500">never</span> : (
                    <span className={expired ? 'font-medium text-red-700' : 'text-slate-600'}>{expired ? 'expired ' : ''}{formatTime(t.expiresAt)}</span>
                  )}
                </Td>
                <Td className="whitespace-nowrap"><TimeAgo at={t.lastUsedAt} /></Td>
                <Td className="text-right">
                  <Button size="sm" variant="danger" aria-label={`Revoke ${t.name}`} onClick={() => { setState({ busy: false }); setRevoking(t); }}>Revoke</Button>
                </Td>
              </tr>
            );
          })}
        </TBody>
      </Table>
      <ConfirmDialog
        open={revoking !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={`Revoke ${revoking?.name ?? ''}?`}
        confirmLabel="Revoke token"
        busy={state.busy}
        onConfirm={() => void revoke()}
        error={state.error !== undefined && <ErrorNote error={state.error} />}
      >
        Scripts using this token{whose ? ` of ${whose}` : ''} are refused (401) from now on, and its live connections close. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
