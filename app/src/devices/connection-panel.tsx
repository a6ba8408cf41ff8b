/**
 * "Connect": where and as whom the device signs in over MQTT, a password signed on the server for trying it by hand
 * (engineers), the device secret (admins, on request, audited), and command lines to paste: mosquitto_pub and the
 * device simulator.
 */
import { useState } from 'react';
import type { TslDocument } from '../../../domain/thing-model/tsl-types.ts';
import { apiRequest } from '../api.ts';
import { Link } from '../routing.ts';
import { useCan } from '../session.ts';
import { Badge } from '../ui/badge.tsx';
import { Button } from '../ui/button.tsx';
import { CopyBlock, CopyButton } from '../ui/copy-button.tsx';
import { ConfirmDialog } from '../ui/dialog.tsx';
import { EmptyState, ErrorNote, Loading } from '../ui/feedback.tsx';
import { Panel } from '../ui/page.tsx';
import { Table, TBody, Td, Th } from '../ui/table.tsx';
import { formatTime } from '../ui/time.tsx';
import { useApi } from '../use-api.ts';
import { tc } from '../i18n/common.messages.ts';
import { richText } from '../i18n/rich.tsx';
import {
  COAP_CLIENT, coapCommands, curlCommands, mosquittoEndpoint, mosquittoPubCommand, propertyPostTopic, samplePropertyPost, simulatorCommand,
} from './connection-commands.ts';
import { devicePath, useNow, type ConnectionInfo, type Device, type MqttEndpoint, type SignedCredentials } from './device-detail-api.ts';
import { t } from './device-commands.messages.ts';

/** Each transport's name (a catalog key: read in render, the language may change). */
const TRANSPORTS = {
  mqtt: 'transport.mqtt',
  mqtts: 'transport.mqtts',
  ws: 'transport.ws',
  wss: 'transport.wss',
  http: 'transport.http',
  https: 'transport.https',
  coap: 'transport.coap',
  tcp: 'transport.tcp',
  udp: 'transport.udp',
} as const satisfies Record<MqttEndpoint['transport'], string>;

const MQTT_TRANSPORTS: ReadonlySet<MqttEndpoint['transport']> = new Set(['mqtt', 'mqtts', 'ws', 'wss']);

/** The placeholders the shell examples hold until a password is signed (as connection-commands.ts writes them). */
const PASSWORD_PLACEHOLDER = '<password>';
const TIMESTAMP_PLACEHOLDER = '{unix ms}';

/** The shell examples the panel offers, by the protocol family a device speaks. */
type ShellProtocol = 'mqtt' | 'http' | 'coap';
const SHELL_PROTOCOLS: readonly { value: ShellProtocol; label: string }[] = [
  { value: 'mqtt', label: 'MQTT' },
  { value: 'http', label: 'HTTP' },
  { value: 'coap', label: 'CoAP' },
];

/** The family of a connection's protocol (`mqtt-ws` → mqtt). */
const familyOf = (protocol: string | null | undefined): ShellProtocol =>
  protocol === 'http' ? 'http' : protocol === 'coap' ? 'coap' : 'mqtt';

/** What the connection panel keeps while the user switches tabs: the signed password and the revealed secret. */
export interface ConnectionState {
  signed?: SignedCredentials;
  secret?: string;
}

export function ConnectionPanel({ device, online, tsl, state, onState }: {
  device: Device;
  online: boolean;
  tsl: TslDocument | null | undefined;
  state: ConnectionState;
  onState(update: (s: ConnectionState) => ConnectionState): void;
}) {
  const canSign = useCan('devices:write');
  const canSecret = useCan('devices:secret');
  const base = devicePath(device.productKey, device.deviceName);
  const info = useApi<ConnectionInfo>(`${base}/connection-info`, { pollMs: 30_000 });
  // The examples start with the protocol the device last connected by.
  const last = useApi<{ items: { protocol: string | null }[] }>(`${base}/connections?limit=1`);
  const [shellChoice, setShellChoice] = useState<ShellProtocol>();
  const [signing, setSigning] = useState(false);
  const [signError, setSignError] = useState<unknown>();

  const sign = async () => {
    setSigning(true);
    setSignError(undefined);
    try {
      const signed = await apiRequest<SignedCredentials>('POST', `${base}/credentials`);
      onState((s) => ({ ...s, signed }));
    } catch (err) {
      setSignError(err);
    } finally {
      setSigning(false);
    }
  };

  if (info.loading) return <Loading what={t('conn.loading')} />;
  if (!info.data) return <ErrorNote error={info.error} />;
  const { signed } = state;
  const endpoints = signed?.endpoints ?? info.data.endpoints;
  const clientId = signed?.clientId ?? info.data.clientId;
  const username = signed?.username ?? info.data.username;
  const shellEndpoint = mosquittoEndpoint(endpoints);
  const mqttUrl = endpoints.find((e) => e.transport === 'mqtt')?.url ?? endpoints.find((e) => MQTT_TRANSPORTS.has(e.transport))?.url;
  const shell = shellChoice ?? familyOf(last.data?.items[0]?.protocol);
  const signIn = { productKey: device.productKey, deviceName: device.deviceName, clientId, signMethod: signed?.signMethod ?? info.data.signMethod, timestamp: signed?.timestamp, password: signed?.password };
  const topic = propertyPostTopic(device.productKey, device.deviceName);
  const payload = samplePropertyPost(tsl);
  const httpEndpoint = endpoints.find((e) => e.transport === 'http' || e.transport === 'https');
  const coapEndpoint = endpoints.find((e) => e.transport === 'coap');

  return (
    <div className="grid gap-5 xl:grid-cols-2">
      {device.nodeType === 'sub-device' && (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 xl:col-span-2" data-testid="sub-device-note">
          {t('conn.subDevice')}
        </p>
      )}
      <Panel title={t('conn.where')} className="xl:col-span-2">
        {endpoints.length === 0 ? (
          <EmptyState
            title={t('conn.noListener')}
            action={<Link to="/flows" className="text-sm font-medium text-sky-700 underline">{t('conn.openFlows')}</Link>}
          >
            {richText(t('conn.noListenerBody'), { b: (text) => <strong>{text}</strong> })}
          </EmptyState>
        ) : (
          <Table label={t('conn.endpoints')}>
            <thead>
              <tr><Th>{t('conn.transport')}</Th><Th>{t('conn.host')}</Th><Th>{t('conn.port')}</Th><Th>{t('conn.url')}</Th></tr>
            </thead>
            <TBody>
              {endpoints.map((e) => (
                <tr key={e.url}>
                  <Td>{t(TRANSPORTS[e.transport])}{e.framing && <span className="text-xs text-slate-500">{t('conn.framing', { framing: e.framing })}</span>}</Td>
                  <Td className="font-mono text-xs">{e.host}</Td>
                  <Td className="font-mono text-xs" data-testid={`endpoint-port-${e.transport}`}>{e.port}</Td>
                  <Td>
                    <span className="mr-2 font-mono text-xs" data-testid={`endpoint-url-${e.transport}`}>{e.url}</span>
                    <CopyButton text={e.url} label={tc('copy')} />
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Panel>

      <Panel title={t('conn.credentials')}>
        <dl className="space-y-3 text-sm">
          <CredentialRow label={t('conn.clientId')} value={clientId} testId="credential-client-id" />
          <CredentialRow label={t('conn.username')} value={username} testId="credential-username" />
          {canSign ? (
            <div>
              <dt className="mb-1 font-medium text-slate-700">{t('conn.password')}</dt>
              <dd>
                {signed ? (
                  <>
                    <CredentialValue value={signed.password} testId="credential-password" label={t('conn.password')} />
                    <Validity signed={signed} onSignAgain={() => void sign()} busy={signing} />
                  </>
                ) : (
                  <div className="flex flex-wrap items-center gap-3">
                    <Button variant="primary" onClick={() => void sign()} disabled={signing}>
                      <i className="fa fa-key" aria-hidden /> {signing ? t('conn.signing') : t('conn.sign')}
                    </Button>
                    <span className="text-xs text-slate-500">
                      {t('conn.signedOnServer', { method: info.data.signMethod, minutes: info.data.timestampWindowSeconds / 60 })}
                    </span>
                  </div>
                )}
                <ErrorNote error={signError} className="mt-2" />
              </dd>
            </div>
          ) : (
            <div>
              <dt className="mb-1 font-medium text-slate-700">{t('conn.password')}</dt>
              <dd className="text-slate-600">
                {richText(t('conn.passwordExplained', { method: info.data.signMethod }), {
                  code: (text) => <code className="rounded bg-slate-100 px-1 font-mono text-xs">{text}</code>,
                })}
              </dd>
            </div>
          )}
        </dl>
        {!device.enabled && (
          <p className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {t('conn.disabled')}
          </p>
        )}
        {online && signed && (
          <p className="mt-3 text-xs text-slate-500">
            {t('conn.takesOver')}
          </p>
        )}
      </Panel>

      <Panel title={t('conn.shell')}>
        <div role="radiogroup" aria-label={t('conn.protocol')} className="mb-3 inline-flex rounded-md border border-slate-300 p-0.5">
          {SHELL_PROTOCOLS.map((p) => (
            <button
              key={p.value}
              type="button"
              role="radio"
              aria-checked={shell === p.value}
              onClick={() => setShellChoice(p.value)}
              className={`rounded px-3 py-1 text-sm font-medium ${shell === p.value ? 'bg-sky-700 text-white' : 'text-slate-700 hover:bg-slate-100'}`}
            >
              {p.label}
            </button>
          ))}
        </div>
        {shell === 'mqtt' && (shellEndpoint ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600">
              {richText(t('conn.mqttBody'), { code: (text) => <code className="font-mono text-xs">{text}</code> })}
            </p>
            <CopyBlock
              id="device-mosquitto-command"
              label={t('conn.mosquittoCommand')}
              text={mosquittoPubCommand({ endpoint: shellEndpoint, clientId, username, password: signed?.password, topic, payload })}
            />
          </div>
        ) : (
          <p className="text-sm text-slate-600">
            {t(endpoints.some((e) => e.transport === 'ws' || e.transport === 'wss') ? 'conn.onlyWebSocket' : 'conn.noMqtt')}
          </p>
        ))}
        {shell === 'http' && (httpEndpoint ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600">
              {richText(t('conn.httpBody'), { code: (text) => <code className="font-mono text-xs">{text}</code> })}
            </p>
            <CopyBlock id="device-curl-command" label={t('conn.curlCommands')} text={curlCommands({ baseUrl: httpEndpoint.url, signIn, topic, payload })} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">{richText(t('conn.noHttp'), { b: (text) => <strong>{text}</strong> })}</p>
        ))}
        {shell === 'coap' && (coapEndpoint ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600">
              {richText(t('conn.coapBody'), { code: (text) => <code className="font-mono text-xs">{text}</code> })}
            </p>
            <CopyBlock id="device-coap-command" label={t('conn.coapCommands', { client: COAP_CLIENT })} text={coapCommands({ url: coapEndpoint.url, signIn, topic, payload })} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">{richText(t('conn.noCoap'), { b: (text) => <strong>{text}</strong> })}</p>
        ))}
        {!signed && (
          <p className="mt-2 text-xs text-slate-500">
            {canSign
              ? t('conn.signToFill', { password: PASSWORD_PLACEHOLDER })
              : t('conn.replacePlaceholders', { password: PASSWORD_PLACEHOLDER, timestamp: TIMESTAMP_PLACEHOLDER })}
          </p>
        )}
      </Panel>

      <Panel title={t('conn.simulator')} className="xl:col-span-2">
        <p className="mb-3 text-sm text-slate-600">
          {richText(t('conn.simulatorBody'), { link: (text) => <Link to="/account" className="text-sky-700 underline">{text}</Link> })}
        </p>
        {canSecret && <SecretControls device={device} secret={state.secret} onSecret={(secret) => onState((s) => ({ ...s, secret }))} />}
        <CopyBlock
          id="device-simulator-command"
          label={t('conn.simulatorCommand')}
          text={simulatorCommand({
            productKey: device.productKey, deviceName: device.deviceName, mqttUrl, apiUrl: window.location.origin, secret: state.secret,
          })}
        />
        {!state.secret && (
          <p className="mt-2 text-xs text-slate-500">
            {t(canSecret ? 'conn.withoutSecretAdmin' : 'conn.withoutSecret')}
          </p>
        )}
      </Panel>
    </div>
  );
}

function CredentialRow({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div>
      <dt className="mb-1 font-medium text-slate-700">{label}</dt>
      <dd><CredentialValue value={value} testId={testId} label={label} /></dd>
    </div>
  );
}

function CredentialValue({ value, testId, label }: { value: string; testId: string; label: string }) {
  return (
    <div className="flex items-start gap-2">
      <code id={testId} data-testid={testId} aria-label={label} className="min-w-0 flex-1 break-all rounded-md bg-slate-100 px-2 py-1.5 font-mono text-xs text-slate-900">
        {value}
      </code>
      <CopyButton text={value} targetId={testId} />
    </div>
  );
}

/** How long the signed password is accepted for, counting down, and signing again. */
function Validity({ signed, onSignAgain, busy }: { signed: SignedCredentials; onSignAgain(): void; busy: boolean }) {
  const now = useNow(1000);
  const left = Math.max(0, Math.round((Date.parse(signed.validUntil) - now) / 1000));
  const text = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, '0')}`;
  return (
    <div className="mt-2 flex flex-wrap items-center gap-3 text-xs">
      {left > 0 ? (
        <span className="text-slate-600" data-testid="credential-valid-for">
          {richText(t('conn.acceptedFor', { left: text, until: formatTime(signed.validUntil) }), {
            b: (chunk) => <strong className="tabular-nums">{chunk}</strong>,
          })}
        </span>
      ) : (
        <Badge tone="amber">{t('conn.expired')}</Badge>
      )}
      <Button size="sm" onClick={onSignAgain} disabled={busy}>{busy ? t('conn.signing') : t('conn.signAgain')}</Button>
    </div>
  );
}

/** Admins: reveal (audited) and rotate the device secret. */
function SecretControls({ device, secret, onSecret }: { device: Device; secret?: string; onSecret(secret: string | undefined): void }) {
  const base = devicePath(device.productKey, device.deviceName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [confirmRotate, setConfirmRotate] = useState(false);

  const call = async (what: 'reveal' | 'rotate') => {
    setBusy(true);
    setError(undefined);
    try {
      const { deviceSecret } = await apiRequest<{ deviceSecret: string }>('POST', `${base}/secret/${what}`);
      onSecret(deviceSecret);
      setConfirmRotate(false);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="mb-3 rounded-md border border-slate-200 bg-slate-50 p-3">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-sm font-medium text-slate-700">{t('secret.label')}</span>
        {secret ? (
          <Button size="sm" onClick={() => onSecret(undefined)}>{t('secret.hide')}</Button>
        ) : (
          <Button size="sm" onClick={() => void call('reveal')} disabled={busy}>
            <i className="fa fa-eye" aria-hidden /> {busy ? t('secret.revealing') : t('secret.reveal')}
          </Button>
        )}
        <Button size="sm" variant="ghost" onClick={() => setConfirmRotate(true)}>{t('secret.rotate')}</Button>
        <span className="text-xs text-slate-500">{t('secret.audited')}</span>
      </div>
      {secret && (
        <div className="mt-2">
          <CredentialValue value={secret} testId="device-secret" label={t('secret.label')} />
        </div>
      )}
      {!confirmRotate && <ErrorNote error={error} className="mt-2" />}
      <ConfirmDialog
        open={confirmRotate}
        onOpenChange={setConfirmRotate}
        title={t('secret.rotateTitle')}
        confirmLabel={t('secret.rotateConfirm')}
        busy={busy}
        onConfirm={() => void call('rotate')}
        error={confirmRotate && error ? <ErrorNote error={error} /> : undefined}
      >
        {t('secret.rotateBody')}
      </ConfirmDialog>
    </div>
  );
}
