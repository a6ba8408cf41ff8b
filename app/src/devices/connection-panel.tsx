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
import {
  COAP_CLIENT, coapCommands, curlCommands, mosquittoEndpoint, mosquittoPubCommand, propertyPostTopic, samplePropertyPost, simulatorCommand,
} from './connection-commands.ts';
import { devicePath, useNow, type ConnectionInfo, type Device, type MqttEndpoint, type SignedCredentials } from './device-detail-api.ts';

const TRANSPORTS: Record<MqttEndpoint['transport'], string> = {
  mqtt: 'MQTT over TCP',
  mqtts: 'MQTT over TLS',
  ws: 'MQTT over WebSocket',
  wss: 'MQTT over secure WebSocket',
  http: 'HTTP',
  https: 'HTTPS',
  coap: 'CoAP (UDP)',
  tcp: 'TCP frames',
  udp: 'UDP datagrams',
};

const MQTT_TRANSPORTS: ReadonlySet<MqttEndpoint['transport']> = new Set(['mqtt', 'mqtts', 'ws', 'wss']);

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

  if (info.loading) return <Loading what="connection details" />;
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
          A sub-device does not connect by itself: its gateway adds it (thing.topo.add) and logs it in (combine/login), each
          signed with these credentials as its own sign-in would be, and then publishes on its topics. A connection of its
          own (MQTT, HTTP or CoAP) is refused. See docs/protocol.md, &ldquo;Gateways and sub-devices&rdquo;.
        </p>
      )}
      <Panel title="Where devices connect" className="xl:col-span-2">
        {endpoints.length === 0 ? (
          <EmptyState
            title="No device listener is running"
            action={<Link to="/flows" className="text-sm font-medium text-sky-700 underline">Open the flows</Link>}
          >
            Devices connect to the listeners of a deployed flow. Deploy a flow with an <strong>MQTT listener</strong>,{' '}
            <strong>HTTP listener</strong> or <strong>CoAP listener</strong> node (the shipped device pipeline has them), then come back here.
          </EmptyState>
        ) : (
          <Table label="Device endpoints">
            <thead>
              <tr><Th>Transport</Th><Th>Host</Th><Th>Port</Th><Th>URL</Th></tr>
            </thead>
            <TBody>
              {endpoints.map((e) => (
                <tr key={e.url}>
                  <Td>{TRANSPORTS[e.transport]}{e.framing && <span className="text-xs text-slate-500"> ({e.framing} framing)</span>}</Td>
                  <Td className="font-mono text-xs">{e.host}</Td>
                  <Td className="font-mono text-xs" data-testid={`endpoint-port-${e.transport}`}>{e.port}</Td>
                  <Td>
                    <span className="mr-2 font-mono text-xs" data-testid={`endpoint-url-${e.transport}`}>{e.url}</span>
                    <CopyButton text={e.url} label="Copy" />
                  </Td>
                </tr>
              ))}
            </TBody>
          </Table>
        )}
      </Panel>

      <Panel title="Sign-in credentials (alink)">
        <dl className="space-y-3 text-sm">
          <CredentialRow label="Client ID" value={clientId} testId="credential-client-id" />
          <CredentialRow label="Username" value={username} testId="credential-username" />
          {canSign ? (
            <div>
              <dt className="mb-1 font-medium text-slate-700">Password</dt>
              <dd>
                {signed ? (
                  <>
                    <CredentialValue value={signed.password} testId="credential-password" label="Password" />
                    <Validity signed={signed} onSignAgain={() => void sign()} busy={signing} />
                  </>
                ) : (
                  <div className="flex flex-wrap items-center gap-3">
                    <Button variant="primary" onClick={() => void sign()} disabled={signing}>
                      <i className="fa fa-key" aria-hidden /> {signing ? 'Signing…' : 'Sign a password'}
                    </Button>
                    <span className="text-xs text-slate-500">
                      Signed on the server with the device secret ({info.data.signMethod}); valid for {info.data.timestampWindowSeconds / 60} min.
                    </span>
                  </div>
                )}
                <ErrorNote error={signError} className="mt-2" />
              </dd>
            </div>
          ) : (
            <div>
              <dt className="mb-1 font-medium text-slate-700">Password</dt>
              <dd className="text-slate-600">
                An HMAC of the device secret ({info.data.signMethod}) over the client id, names and timestamp. Engineers can sign one
                here; with the secret, <code className="rounded bg-slate-100 px-1 font-mono text-xs">npm run sign</code> prints one.
              </dd>
            </div>
          )}
        </dl>
        {!device.enabled && (
          <p className="mt-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            This device is disabled: the platform refuses its sign-ins until it is enabled again.
          </p>
        )}
        {online && signed && (
          <p className="mt-3 text-xs text-slate-500">
            The device is online. Signing in with these credentials takes over its session: its own connection is closed.
          </p>
        )}
      </Panel>

      <Panel title="Try it from a shell">
        <div role="radiogroup" aria-label="Protocol" className="mb-3 inline-flex rounded-md border border-slate-300 p-0.5">
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
              Posts one value for each property of the thing model as this device (Debian: <code className="font-mono text-xs">apt install mosquitto-clients</code>).
            </p>
            <CopyBlock
              id="device-mosquitto-command"
              label="mosquitto_pub command"
              text={mosquittoPubCommand({ endpoint: shellEndpoint, clientId, username, password: signed?.password, topic, payload })}
            />
          </div>
        ) : (
          <p className="text-sm text-slate-600">
            mosquitto_pub needs an MQTT listener on TCP or TLS; {endpoints.some((e) => e.transport === 'ws' || e.transport === 'wss') ? 'only WebSocket is running.' : 'none is running.'}
          </p>
        ))}
        {shell === 'http' && (httpEndpoint ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600">
              Signs in for a token, then posts one value for each property with it; the answer is the device&apos;s reply. A device
              polls <code className="font-mono text-xs">GET …/commands?wait=30</code> for its commands.
            </p>
            <CopyBlock id="device-curl-command" label="curl commands" text={curlCommands({ baseUrl: httpEndpoint.url, signIn, topic, payload })} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">No HTTP listener is running: deploy a flow with an <strong>HTTP listener</strong> node (the shipped device pipeline has one).</p>
        ))}
        {shell === 'coap' && (coapEndpoint ? (
          <div className="space-y-2">
            <p className="text-sm text-slate-600">
              libcoap&apos;s client signs in, then posts with the token in option 2088 (Debian: <code className="font-mono text-xs">apt install
              libcoap3-bin</code>, where it is named <code className="font-mono text-xs">coap-client-notls</code>).
              Observing <code className="font-mono text-xs">/commands</code> delivers the device&apos;s commands.
            </p>
            <CopyBlock id="device-coap-command" label={`${COAP_CLIENT} commands`} text={coapCommands({ url: coapEndpoint.url, signIn, topic, payload })} />
          </div>
        ) : (
          <p className="text-sm text-slate-600">No CoAP listener is running: deploy a flow with a <strong>CoAP listener</strong> node (the shipped device pipeline has one).</p>
        ))}
        {!signed && (
          <p className="mt-2 text-xs text-slate-500">
            {canSign ? 'Sign a password to fill in <password> and the timestamp.' : 'Replace <password> and {unix ms} with a signed password and its timestamp.'}
          </p>
        )}
      </Panel>

      <Panel title="Device simulator" className="xl:col-span-2">
        <p className="mb-3 text-sm text-slate-600">
          A simulated device that posts values generated from the thing model and answers property sets and services. Run it from
          a checkout of Thingwire; it reads the thing model with an API token (create one on <Link to="/account" className="text-sky-700 underline">My account</Link>).
        </p>
        {canSecret && <SecretControls device={device} secret={state.secret} onSecret={(secret) => onState((s) => ({ ...s, secret }))} />}
        <CopyBlock
          id="device-simulator-command"
          label="Simulator command"
          text={simulatorCommand({
            productKey: device.productKey, deviceName: device.deviceName, mqttUrl, apiUrl: window.location.origin, secret: state.secret,
          })}
        />
        {!state.secret && (
          <p className="mt-2 text-xs text-slate-500">
            {canSecret
              ? 'Without --secret the simulator reveals the secret itself, which needs an admin\'s token; reveal it above to pass it instead.'
              : 'Without --secret the simulator reveals the secret itself, which needs an admin\'s API token. Ask an admin for the secret or the token.'}
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
          Accepted for <strong className="tabular-nums">{text}</strong> more (until {formatTime(signed.validUntil)}); a connection made by then stays up.
        </span>
      ) : (
        <Badge tone="amber">expired: the platform now refuses this timestamp</Badge>
      )}
      <Button size="sm" onClick={onSignAgain} disabled={busy}>{busy ? 'Signing…' : 'Sign again'}</Button>
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
        <span className="text-sm font-medium text-slate-700">Device secret</span>
        {secret ? (
          <Button size="sm" onClick={() => onSecret(undefined)}>Hide</Button>
        ) : (
          <Button size="sm" onClick={() => void call('reveal')} disabled={busy}>
            <i className="fa fa-eye" aria-hidden /> {busy ? 'Revealing…' : 'Reveal secret'}
          </Button>
        )}
        <Button size="sm" variant="ghost" onClick={() => setConfirmRotate(true)}>Rotate…</Button>
        <span className="text-xs text-slate-500">Revealing and rotating are recorded in the audit log.</span>
      </div>
      {secret && (
        <div className="mt-2">
          <CredentialValue value={secret} testId="device-secret" label="Device secret" />
        </div>
      )}
      {!confirmRotate && <ErrorNote error={error} className="mt-2" />}
      <ConfirmDialog
        open={confirmRotate}
        onOpenChange={setConfirmRotate}
        title="Rotate the device secret?"
        confirmLabel="Rotate secret"
        busy={busy}
        onConfirm={() => void call('rotate')}
        error={confirmRotate && error ? <ErrorNote error={error} /> : undefined}
      >
        A new secret replaces the old one at once: the device is disconnected and cannot sign in again until its firmware has the
        new secret. The new secret is shown here once you confirm.
      </ConfirmDialog>
    </div>
  );
}
