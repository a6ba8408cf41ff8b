/**
 * The forms of Node-RED's "network" core nodes (see `form-kit.tsx`): mqtt, http, websocket, tcp and udp nodes and
 * their config nodes, with Node-RED 4.1's fields, labels, option texts and show/hide rules (texts in
 * `network-forms.messages.ts`).
 */
import { useState, type JSX } from 'react';
import {
  CheckboxField, ConfigNodeField, FormTabs, Hint, NameRow, NumberField, Row, SelectField, TextField, textOf, useCoreForm, useFieldId, type CoreForm,
} from './form-kit.tsx';
import { richText, tc } from '../../i18n.ts';
import { t } from './core-forms.messages.ts';
import { tn } from './network-forms.messages.ts';
import {
  clearedCredentials, Columns, ContentTypeInput, CredentialField, HeaderListField, HostListField, HTTP_REQUEST_HEADERS, NONE_TYPE, OptionalValue,
  OptionalValueField, ResponseHeadersField, Section, ToggleRow, useFlowNode, WEBSOCKET_HEADERS,
} from './network-widgets.tsx';

const QOS = [{ value: '0', label: '0' }, { value: '1', label: '1' }, { value: '2', label: '2' }] as const;
const isV5 = (protocolVersion: unknown) => textOf(protocolVersion) === '5';
/** Technical tokens and examples shown as they are in every language. */
const QOS_LABEL = 'QoS';
const URL_PATH = '/url';
const HTTPS = 'https://';
const STATUS_CODE = 'msg.statusCode';
const PROXY_URL = 'http://hostname:port';
const WS_PATH = '/ws/example';
const WS_URL = 'ws://example.com/ws';
const LOCALHOST = 'localhost';
const IP_ADDRESS = 'ip.address';

/** Marked code in a translated hint. */
const code = (text: string) => <code>{text}</code>;

/** The name of an MQTT broker's message section, as its fields' accessible names start. */
const sectionName = (section: 'birth' | 'close' | 'will') => tn(`mqtt.section.${section}`);

/** A "Use …" checkbox whose state is whether the node refers to a config node (Node-RED's "Use TLS", "Use proxy"). */
function ConfigToggle({ prop, type, toggleLabel, fieldLabel }: { prop: string; type: string; toggleLabel: string; fieldLabel: string }): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId(`use-${prop}`);
  const [on, setOn] = useState(() => textOf(node[prop]) !== '');
  return (
    <ToggleRow
      id={id} label={toggleLabel} checked={on}
      onChange={(checked) => {
        setOn(checked);
        // Node-RED's save empties the reference when the box is unticked.
        if (!checked && textOf(node[prop]) !== '') update({ [prop]: '' });
      }}
    >
      <ConfigNodeField prop={prop} type={type} label={fieldLabel} />
    </ToggleRow>
  );
}

// ----------------------------------------------------------------------------------------------------------- mqtt

const MqttInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const broker = useFlowNode(node['broker']);
  const dynamic = node['inputs'] === 1 || node['inputs'] === '1';
  const v5 = isV5(broker?.['protocolVersion']);
  return (
    <>
      <ConfigNodeField prop="broker" type="mqtt-broker" label={tn('mqtt.server')} icon="fa-globe" />
      <SelectField
        prop="inputs" label={t('action')}
        options={[{ value: 0, label: tn('mqtt.staticTopic') }, { value: 1, label: tn('mqtt.dynamicTopic') }]}
        // A dynamic subscription takes its topics from input messages: the node gets an input and no topic.
        onSelect={(value) => (value === 1 ? { inputs: 1, topic: '' } : { inputs: 0 })}
      />
      {!dynamic && (
        <>
          <TextField prop="topic" label={tn('topic')} icon="fa-tasks" placeholder={tn('topic')} />
          <SelectField prop="qos" label={QOS_LABEL} icon="fa-empire" options={QOS} width="w-24" />
          {v5 && (
            <>
              <Row label={tn('mqtt.flags')} icon="fa-flag">
                <div className="space-y-1">
                  <CheckboxField prop="nl" label={tn('mqtt.nl')} />
                  <CheckboxField prop="rap" label={tn('mqtt.rap')} />
                </div>
              </Row>
              <SelectField
                prop="rh" label={tn('mqtt.rh')} icon="fa-tag"
                options={[{ value: '0', label: tn('mqtt.rh0') }, { value: '1', label: tn('mqtt.rh1') }, { value: '2', label: tn('mqtt.rh2') }]}
              />
            </>
          )}
        </>
      )}
      <SelectField
        prop="datatype" label={t('output')} icon="fa-sign-out"
        hint={node['datatype'] === 'auto' ? tn('mqtt.autoDeprecated') : undefined}
        options={[
          { value: 'auto-detect', label: tn('mqtt.out.autoDetect') },
          { value: 'auto', label: tn('mqtt.out.auto') },
          { value: 'buffer', label: tn('out.buffer') },
          { value: 'utf8', label: tn('out.string') },
          { value: 'json', label: tn('out.json') },
          { value: 'base64', label: tn('out.base64') },
        ]}
      />
      <NameRow />
    </>
  );
};

const MqttOutForm: CoreForm = () => {
  const { node } = useCoreForm();
  const broker = useFlowNode(node['broker']);
  const v5 = isV5(broker?.['protocolVersion']);
  return (
    <>
      <ConfigNodeField prop="broker" type="mqtt-broker" label={tn('mqtt.server')} icon="fa-globe" />
      <TextField prop="topic" label={tn('topic')} icon="fa-tasks" placeholder={tn('topic')} />
      <Columns>
        <SelectField prop="qos" label={QOS_LABEL} icon="fa-empire" options={[{ value: '', label: '' }, ...QOS]} />
        <SelectField prop="retain" label={tn('mqtt.retain')} icon="fa-history" options={[{ value: '', label: '' }, { value: 'false', label: 'false' }, { value: 'true', label: 'true' }]} />
      </Columns>
      {v5 && (
        <>
          <OptionalValueField prop="userProps" label={tn('mqtt.userProps')} valueType="json" />
          <OptionalValueField prop="respTopic" label={tn('mqtt.respTopic')} valueType="str" />
          {textOf(node['respTopic']) !== '' && <OptionalValueField prop="correl" label={tn('mqtt.correl')} valueType="str" />}
          <MqttContentTypeField prop="contentType" />
          <OptionalValueField prop="expiry" label={tn('mqtt.expiry')} valueType="num" />
        </>
      )}
      <NameRow />
      <Hint>{tn('mqtt.outTip')}</Hint>
    </>
  );
};

function MqttContentTypeField({ prop }: { prop: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  return (
    <Row label={tn('mqtt.contentType')} htmlFor={id}>
      <ContentTypeInput id={id} label={tn('mqtt.contentType')} value={textOf(node[prop])} onChange={(value, ongoing) => update({ [prop]: value }, ongoing)} onCommit={commit} />
    </Row>
  );
}

/** The MQTT 5 properties of the broker's birth, close or will message, kept in `<section>Msg`. */
function V5MessageRows({ section }: { section: 'birth' | 'close' | 'will' }): JSX.Element {
  const { node, update, commit, idPrefix } = useCoreForm();
  const prop = `${section}Msg`;
  const stored = node[prop];
  const message = (typeof stored === 'object' && stored !== null ? stored : {}) as Record<string, unknown>;
  const set = (key: string, value: string, ongoing: boolean) => {
    const next = { ...message };
    if (value === '') delete next[key];
    else next[key] = value;
    update({ [prop]: next }, ongoing);
  };
  const id = (key: string) => `${idPrefix}-${section}-${key}`;
  const optional = (key: string, label: string, valueType: 'str' | 'json' | 'num') => (
    <Row label={label} htmlFor={id(key)}>
      <OptionalValue
        id={id(key)} label={tn('mqtt.sectionField', { section: sectionName(section), label })} value={textOf(message[key])} types={[NONE_TYPE, valueType]} typeOfValue={(v) => (v === '' ? 'none' : valueType)}
        onChange={(value, ongoing) => set(key, value, ongoing)} onCommit={commit}
      />
    </Row>
  );
  return (
    <>
      {section === 'will' && (
        <Row label={tn('mqtt.delay')} htmlFor={id('delay')}>
          <input
            id={id('delay')} type="text" inputMode="numeric" value={textOf(message['delay'])} className="w-24 rounded border border-slate-300 px-2 py-1 text-sm"
            onChange={(e) => set('delay', e.target.value, true)} onBlur={commit}
          />
        </Row>
      )}
      <Row label={tn('mqtt.contentType')} htmlFor={id('contentType')}>
        <ContentTypeInput id={id('contentType')} label={tn('mqtt.sectionField', { section: sectionName(section), label: tn('mqtt.contentType') })} value={textOf(message['contentType'])} onChange={(v, ongoing) => set('contentType', v, ongoing)} onCommit={commit} />
      </Row>
      {optional('userProps', tn('mqtt.userProps'), 'json')}
      {optional('respTopic', tn('mqtt.respTopic'), 'str')}
      {optional('correl', tn('mqtt.correl'), 'str')}
      {optional('expiry', tn('mqtt.expiry'), 'num')}
    </>
  );
}

function MessageSection({ section, title, placeholder, open, v5 }: { section: 'birth' | 'close' | 'will'; title: string; placeholder: string; open: boolean; v5: boolean }) {
  return (
    <Section title={title} open={open}>
      <Columns>
        <TextField prop={`${section}Topic`} label={tn('topic')} icon="fa-tasks" placeholder={placeholder} />
        <SelectField prop={`${section}Retain`} label={tn('mqtt.retain')} icon="fa-history" options={[{ value: 'false', label: 'false' }, { value: 'true', label: 'true' }]} />
      </Columns>
      <Columns>
        <TextField prop={`${section}Payload`} label={tn('payload')} icon="fa-envelope" placeholder={tn('payload')} />
        <SelectField prop={`${section}Qos`} label={QOS_LABEL} icon="fa-empire" options={QOS} />
      </Columns>
      {v5 && <V5MessageRows section={section} />}
    </Section>
  );
}

const MqttBrokerForm: CoreForm = () => {
  const { node } = useCoreForm();
  const v5 = isV5(node['protocolVersion']);
  const clean = node['cleansession'] !== false && node['cleansession'] !== 'false';
  const url = textOf(node['broker']).includes('://');
  const topics = { birth: textOf(node['birthTopic']), close: textOf(node['closeTopic']), will: textOf(node['willTopic']) };
  // Node-RED opens the birth section when no message is set, so the user sees what the tab is for.
  const [openBirth] = useState(topics.birth !== '' || (topics.will === '' && topics.close === ''));
  return (
    <>
      <NameRow />
      <FormTabs
        tabs={[
          {
            id: 'connection', label: tn('mqtt.tab.connection'),
            content: (
              <>
                <Columns>
                  <TextField prop="broker" label={tn('mqtt.server')} icon="fa-globe" placeholder={tn('mqtt.serverPlaceholder')} />
                  {url ? (
                    <Row label={tn('port')}><Hint>{tn('mqtt.portByUrl')}</Hint></Row>
                  ) : (
                    <NumberField prop="port" label={tn('port')} placeholder={tn('port')} width="w-full" />
                  )}
                </Columns>
                <CheckboxField prop="autoConnect" label={tn('mqtt.autoConnect')} />
                <UseTlsRow />
                <SelectField
                  prop="protocolVersion" label={tn('mqtt.protocol')} icon="fa-cog"
                  options={[{ value: 3, label: 'MQTT V3.1 (legacy)' }, { value: 4, label: 'MQTT V3.1.1' }, { value: 5, label: 'MQTT V5' }]}
                  // Node-RED's select stores the option text ("5"); leaving MQTT 5 drops the MQTT 5 message properties.
                  onSelect={(value) => (String(value) === '5' ? { protocolVersion: '5' } : { protocolVersion: String(value), userProps: '', birthMsg: {}, closeMsg: {}, willMsg: {} })}
                />
                <TextField prop="clientid" label={tn('mqtt.clientid')} icon="fa-tag" placeholder={clean ? tn('mqtt.clientidAuto') : tn('mqtt.clientidNonClean')} />
                <NumberField prop="keepalive" label={tn('mqtt.keepalive')} icon="fa-heartbeat" />
                <Row label={tn('mqtt.session')} icon="fa-info">
                  <div className="space-y-2">
                    <CheckboxField prop="cleansession" label={v5 ? tn('mqtt.cleanStart') : tn('mqtt.cleanSession')} />
                    {!clean && <CheckboxField prop="autoUnsubscribe" label={tn('mqtt.autoUnsubscribe')} />}
                    {v5 && <NumberField prop="sessionExpiry" label={tn('mqtt.sessionExpiry')} />}
                  </div>
                </Row>
                {v5 && <OptionalValueField prop="userProps" label={tn('mqtt.userProps')} valueType="json" />}
              </>
            ),
          },
          {
            id: 'security', label: tn('mqtt.tab.security'),
            content: (
              <>
                <CredentialField cred="user" label={tn('username')} icon="fa-user" />
                <CredentialField cred="password" label={tn('password')} icon="fa-lock" secret />
              </>
            ),
          },
          {
            id: 'messages', label: tn('mqtt.tab.messages'),
            content: (
              <>
                <MessageSection section="birth" title={tn('mqtt.birth.title')} placeholder={tn('mqtt.birth.placeholder')} open={openBirth} v5={v5} />
                <MessageSection section="close" title={tn('mqtt.close.title')} placeholder={tn('mqtt.close.placeholder')} open={topics.close !== ''} v5={v5} />
                <MessageSection section="will" title={tn('mqtt.will.title')} placeholder={tn('mqtt.will.placeholder')} open={topics.will !== ''} v5={v5} />
              </>
            ),
          },
        ]}
      />
    </>
  );
};

/** The broker's "Use TLS" box, stored in `usetls`, with the TLS configuration it uses. */
function UseTlsRow(): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId('usetls');
  const on = node['usetls'] === true || node['usetls'] === 'true';
  return (
    <ToggleRow id={id} label={tn('mqtt.useTls')} checked={on} onChange={(checked) => update(checked ? { usetls: true } : { usetls: false, ...(textOf(node['tls']) ? { tls: '' } : {}) })}>
      <ConfigNodeField prop="tls" type="tls-config" label={tn('tlsConfig')} />
    </ToggleRow>
  );
}

// ----------------------------------------------------------------------------------------------------------- http

const HttpInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const method = textOf(node['method'], 'get');
  const hasBody = ['post', 'put', 'patch', 'delete'].includes(method);
  return (
    <>
      <SelectField
        prop="method" label={tn('http.method')} icon="fa-tasks"
        options={['get', 'post', 'put', 'delete', 'patch'].map((m) => ({ value: m, label: m.toUpperCase() }))}
      />
      {hasBody && (
        <div className="space-y-1 pl-5">
          {method === 'post' && <CheckboxField prop="upload" label={tn('http.upload')} />}
          <CheckboxField prop="skipBodyParsing" label={tn('http.skipBodyParsing')} />
        </div>
      )}
      <TextField prop="url" label={tn('url')} icon="fa-globe" placeholder={URL_PATH} />
      <CheckboxField
        prop="public" label={tn('public')}
        hint={tn('http.publicHint')}
      />
      <NameRow />
      <Hint>{richText(tn('http.urlHint'), { code })}</Hint>
    </>
  );
};

const HttpResponseForm: CoreForm = () => (
  <>
    <NameRow />
    <NumberField prop="statusCode" label={tn('http.statusCode')} icon="fa-long-arrow-left" placeholder={STATUS_CODE} />
    <ResponseHeadersField prop="headers" />
    <Hint>{richText(tn('http.responseHint'), { code })}</Hint>
  </>
);

const HttpRequestForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const authType = textOf(node['authType']);
  const useAuthId = useFieldId('useAuth');
  const paytoqsId = useFieldId('paytoqs');
  const [useAuth, setUseAuth] = useState(authType !== '');
  const paytoqs = node['paytoqs'] === true || node['paytoqs'] === 'query' ? 'query' : node['paytoqs'] === 'body' ? 'body' : 'ignore';
  return (
    <>
      <SelectField
        prop="method" label={tn('http.method')} icon="fa-tasks"
        options={[...['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].map((m) => ({ value: m, label: m })), { value: 'use', label: tn('http.setByMsg') }]}
        // Node-RED's save writes the Payload select (hidden unless GET) as its mode's name: "ignore" for an untouched false.
        onSelect={(value) => ({ method: value, paytoqs })}
      />
      <TextField prop="url" label={tn('url')} icon="fa-globe" placeholder={HTTPS} />
      {node['method'] === 'GET' && (
        // Node-RED shows an untouched `false` (and old `true`) as their modes; a choice stores the mode's name.
        <Row label={tn('payload')} htmlFor={paytoqsId}>
          <select id={paytoqsId} value={paytoqs} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" onChange={(e) => update({ paytoqs: e.target.value })}>
            <option value="ignore">{tn('http.paytoqs.ignore')}</option>
            <option value="query">{tn('http.paytoqs.query')}</option>
            <option value="body">{tn('http.paytoqs.body')}</option>
          </select>
        </Row>
      )}
      <ConfigToggle prop="tls" type="tls-config" toggleLabel={tn('useCustomTls')} fieldLabel={tn('tlsConfig')} />
      <ToggleRow
        id={useAuthId} label={tn('http.useAuth')} checked={useAuth}
        onChange={(checked) => {
          setUseAuth(checked);
          // Node-RED: ticking starts on basic authentication; unticking forgets the type, user and password.
          update(checked ? { authType: authType || 'basic' } : { authType: '', ...clearedCredentials(node, ['user', 'password']) });
        }}
      >
        <SelectField
          prop="authType" label={tn('type')} icon="fa-user-secret"
          options={[{ value: 'basic', label: tn('http.basic') }, { value: 'digest', label: tn('http.digest') }, { value: 'bearer', label: tn('http.bearer') }]}
          onSelect={(value) => (value === 'bearer' ? { authType: value, ...clearedCredentials(node, ['user']) } : { authType: value })}
        />
        {authType !== 'bearer' && <CredentialField cred="user" label={tn('username')} icon="fa-user" />}
        <CredentialField cred="password" label={authType === 'bearer' ? tn('http.token') : tn('password')} icon="fa-lock" secret />
      </ToggleRow>
      <CheckboxField prop="persist" label={tn('http.persist')} />
      <ConfigToggle prop="proxy" type="http proxy" toggleLabel={tn('http.useProxy')} fieldLabel={tn('http.proxyConfig')} />
      <CheckboxField prop="senderr" label={tn('http.senderr')} />
      <CheckboxField prop="insecureHTTPParser" label={tn('http.insecureParser')} />
      <SelectField
        prop="ret" label={tn('return')} icon="fa-arrow-left"
        hint={node['ret'] === 'obj' ? tn('http.retObjHint') : undefined}
        options={[{ value: 'txt', label: tn('http.ret.txt') }, { value: 'bin', label: tn('http.ret.bin') }, { value: 'obj', label: tn('out.json') }]}
      />
      <HeaderListField prop="headers" presets={HTTP_REQUEST_HEADERS} />
      <NameRow />
    </>
  );
};

const HttpProxyForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const id = useFieldId('useAuth');
  const credentials = (node['credentials'] ?? {}) as Record<string, unknown>;
  const [useAuth, setUseAuth] = useState(textOf(credentials['username']) !== '' || credentials['has_password'] === true);
  return (
    <>
      <NameRow />
      <TextField prop="url" label={tn('url')} icon="fa-globe" placeholder={PROXY_URL} />
      <ToggleRow
        id={id} label={tn('http.useProxyAuth')} checked={useAuth}
        onChange={(checked) => {
          setUseAuth(checked);
          if (!checked) update(clearedCredentials(node, ['username', 'password']));
        }}
      >
        <CredentialField cred="username" label={tn('username')} icon="fa-user" />
        <CredentialField cred="password" label={tn('password')} icon="fa-lock" secret />
      </ToggleRow>
      <HostListField prop="noproxy" label={tn('http.noproxy')} icon="fa-list" />
    </>
  );
};

// ------------------------------------------------------------------------------------------------------ websocket

const sendReceive = () => [{ value: 'false', label: 'payload' }, { value: 'true', label: tn('ws.entireMessage') }];

/** websocket in and out: listen on a path (a websocket-listener) or connect to a URL (a websocket-client). */
const WebsocketForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const id = useFieldId('mode');
  const [mode, setMode] = useState<'server' | 'client'>(textOf(node['client']) !== '' ? 'client' : 'server');
  return (
    <>
      <Row label={tn('type')} icon="fa-dot-circle-o" htmlFor={id}>
        <select
          id={id} value={mode} className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          onChange={(e) => {
            const next = e.target.value === 'client' ? 'client' : 'server';
            setMode(next);
            // Node-RED's save keeps only the reference of the chosen mode.
            update(next === 'client' ? { server: '' } : { client: '' });
          }}
        >
          <option value="server">{tn('listenOn')}</option>
          <option value="client">{tn('connectTo')}</option>
        </select>
      </Row>
      {mode === 'server' ? (
        <ConfigNodeField prop="server" type="websocket-listener" label={tn('ws.path')} icon="fa-bookmark" />
      ) : (
        <ConfigNodeField prop="client" type="websocket-client" label={tn('url')} icon="fa-bookmark" />
      )}
      <NameRow />
    </>
  );
};

const WebsocketListenerForm: CoreForm = () => (
  <>
    <TextField prop="path" label={tn('ws.path')} icon="fa-bookmark" placeholder={WS_PATH} />
    <SelectField prop="wholemsg" label={tn('ws.sendReceive')} options={sendReceive()} />
    <CheckboxField
      prop="public" label={tn('public')}
      hint={tn('ws.publicHint')}
    />
    <Hint>{richText(tn('ws.listenerHint'), { code })}</Hint>
  </>
);

const WebsocketClientForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const id = useFieldId('hb-cb');
  const secure = /^wss:/i.test(textOf(node['path']));
  const hb = textOf(node['hb']);
  const [heartbeat, setHeartbeat] = useState(hb !== '' && hb !== '0');
  return (
    <>
      <TextField prop="path" label={tn('url')} icon="fa-bookmark" placeholder={WS_URL} />
      {secure && <ConfigNodeField prop="tls" type="tls-config" label={tn('tlsConfig')} />}
      <TextField prop="subprotocol" label={tn('ws.subprotocol')} icon="fa-tag" />
      <SelectField prop="wholemsg" label={tn('ws.sendReceive')} options={sendReceive()} />
      <ToggleRow
        id={id} label={tn('ws.heartbeat')} checked={heartbeat}
        onChange={(checked) => {
          setHeartbeat(checked);
          // Node-RED's save writes "0" for no heartbeat.
          update({ hb: checked ? '' : '0' });
        }}
      >
        <NumberField prop="hb" label={tn('ws.every')} suffix={t('unit.seconds')} />
      </ToggleRow>
      <HeaderListField prop="headers" presets={WEBSOCKET_HEADERS} />
      <Hint>{richText(tn('ws.clientHint'), { code })}</Hint>
    </>
  );
};

// ------------------------------------------------------------------------------------------------------- tcp, udp

/** The "Use custom SSL/TLS configuration" row of the tcp nodes. */
const TcpTls = () => <ConfigToggle prop="tls" type="tls-config" toggleLabel={tn('useCustomTls')} fieldLabel={tn('tlsConfig')} />;

const TcpInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const newline = node['datamode'] === 'stream' && node['datatype'] === 'utf8';
  return (
    <>
      <Columns>
        <SelectField prop="server" label={tn('type')} icon="fa-dot-circle-o" options={[{ value: 'server', label: tn('listenOn') }, { value: 'client', label: tn('connectTo') }]} />
        <NumberField prop="port" label={tn('tcp.port')} width="w-full" />
      </Columns>
      {node['server'] === 'client' && <TextField prop="host" label={tn('tcp.host')} placeholder={LOCALHOST} />}
      <TcpTls />
      <Columns>
        <SelectField prop="datamode" label={t('output')} icon="fa-sign-out" options={[{ value: 'stream', label: tn('tcp.stream') }, { value: 'single', label: tn('tcp.single') }]} />
        <SelectField
          prop="datatype" label={tn('tcp.payloads')}
          options={[{ value: 'buffer', label: 'Buffer' }, { value: 'utf8', label: tn('tcp.string') }, { value: 'base64', label: tn('tcp.base64') }]}
        />
      </Columns>
      {newline && (
        <>
          <TextField prop="newline" label={tn('tcp.delimited')} placeholder={tn('optionalParen')} mono />
          <CheckboxField prop="trim" label={tn('tcp.reattach')} />
        </>
      )}
      <TextField prop="topic" label={tn('topic')} icon="fa-tasks" placeholder={tn('topic')} />
      <NameRow />
    </>
  );
};

const TcpOutForm: CoreForm = () => {
  const { node } = useCoreForm();
  const mode = textOf(node['beserver'], 'client');
  return (
    <>
      <Columns>
        <SelectField
          prop="beserver" label={tn('type')} icon="fa-dot-circle-o"
          options={[{ value: 'server', label: tn('listenOn') }, { value: 'client', label: tn('connectTo') }, { value: 'reply', label: tn('tcp.reply') }]}
        />
        {mode !== 'reply' && <NumberField prop="port" label={tn('tcp.port')} width="w-full" />}
      </Columns>
      {mode === 'client' && <TextField prop="host" label={tn('tcp.host')} />}
      {mode !== 'reply' && (
        <>
          <TcpTls />
          <CheckboxField prop="end" label={tn('tcp.end')} />
        </>
      )}
      <CheckboxField prop="base64" label={tn('tcp.decodeBase64')} />
      <NameRow />
    </>
  );
};

/** What `splitc` becomes when "Close" changes, as Node-RED's form resets it. */
const SPLIT_DEFAULTS: Readonly<Record<string, string>> = { char: '\\n', time: '0', immed: ' ', count: '12', sit: ' ' };

const TcpRequestForm: CoreForm = () => {
  const { node } = useCoreForm();
  const out = textOf(node['out'], 'time');
  const units = out === 'time' ? tn('tcp.ms') : out === 'count' ? tn('tcp.chars') : undefined;
  return (
    <>
      <Columns>
        <TextField prop="server" label={tn('tcp.server')} icon="fa-globe" placeholder={IP_ADDRESS} />
        <NumberField prop="port" label={tn('tcp.port')} width="w-full" />
      </Columns>
      <TcpTls />
      <SelectField prop="ret" label={tn('return')} icon="fa-sign-out" options={[{ value: 'buffer', label: 'Buffer' }, { value: 'string', label: tn('tcp.string') }]} />
      <SelectField
        prop="out" label={tn('tcp.close')} icon="fa-sign-out"
        options={[
          { value: 'time', label: tn('tcp.out.time') },
          { value: 'char', label: tn('tcp.out.char') },
          { value: 'count', label: tn('tcp.out.count') },
          { value: 'sit', label: tn('tcp.out.sit') },
          { value: 'immed', label: tn('tcp.out.immed') },
        ]}
        onSelect={(value) => (value === out ? { out: value } : { out: value, splitc: SPLIT_DEFAULTS[String(value)] ?? ' ' })}
      />
      {out !== 'immed' && out !== 'sit' && (
        <TextField prop="splitc" label={units ? tn('tcp.closeAfter', { units }) : tn('tcp.closeOn')} mono />
      )}
      {node['ret'] === 'string' && out === 'sit' && (
        <>
          <TextField prop="newline" label={tn('tcp.delimited')} placeholder={tn('optionalParen')} mono />
          <CheckboxField prop="trim" label={tn('tcp.reattach')} />
        </>
      )}
      <NameRow />
    </>
  );
};

const UdpInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const multicast = node['multicast'] === 'true';
  return (
    <>
      <SelectField prop="multicast" label={tn('udp.listenFor')} icon="fa-sign-in" options={[{ value: 'false', label: tn('udp.udpMessages') }, { value: 'true', label: tn('udp.multicastMessages') }]} />
      {multicast && (
        <>
          <TextField prop="group" label={tn('udp.group')} icon="fa-list" placeholder="225.0.18.83" />
          <TextField prop="iface" label={tn('udp.iface')} icon="fa-random" placeholder={tn('udp.ifacePlaceholder')} />
        </>
      )}
      <Columns>
        <NumberField prop="port" label={tn('udp.onPort')} icon="fa-sign-in" width="w-full" />
        <SelectField prop="ipv" label={tn('udp.using')} options={[{ value: 'udp4', label: 'ipv4' }, { value: 'udp6', label: 'ipv6' }]} />
      </Columns>
      <SelectField
        prop="datatype" label={t('output')} icon="fa-sign-out"
        options={[{ value: 'buffer', label: tn('out.buffer') }, { value: 'utf8', label: tn('out.string') }, { value: 'base64', label: tn('out.base64') }]}
      />
      <NameRow />
      <Hint>{tn('udp.firewallTip')}</Hint>
    </>
  );
};

const UdpOutForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const multicast = textOf(node['multicast'], 'false');
  const bindId = useFieldId('outport-type');
  const [fixed, setFixed] = useState(textOf(node['outport']) !== '');
  return (
    <>
      <Columns>
        <SelectField
          prop="multicast" label={tn('udp.sendA')} icon="fa-envelope"
          options={[{ value: 'false', label: tn('udp.udpMessage') }, { value: 'broad', label: tn('udp.broadcastMessage') }, { value: 'multi', label: tn('udp.multicastMessage') }]}
        />
        <NumberField prop="port" label={tn('udp.toPort')} width="w-full" />
      </Columns>
      <Columns>
        <TextField
          prop="addr" label={multicast === 'multi' ? tn('udp.group') : tn('udp.address')} icon="fa-list"
          placeholder={multicast === 'multi' ? '225.0.18.83' : multicast === 'broad' ? '255.255.255.255' : tn('udp.destination')}
        />
        <SelectField prop="ipv" label={tn('udp.ipVersion')} options={[{ value: 'udp4', label: 'ipv4' }, { value: 'udp6', label: 'ipv6' }]} />
      </Columns>
      {multicast === 'multi' && <TextField prop="iface" label={tn('udp.iface')} icon="fa-random" placeholder={tn('udp.ifacePlaceholder')} />}
      <Row label={tn('udp.localPort')} htmlFor={bindId}>
        <select
          id={bindId} value={fixed ? 'fixed' : 'random'} className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          onChange={(e) => {
            const isFixed = e.target.value === 'fixed';
            setFixed(isFixed);
            if (!isFixed) update({ outport: '' });
          }}
        >
          <option value="random">{multicast === 'false' ? tn('udp.bindRandom') : tn('udp.bindTarget')}</option>
          <option value="fixed">{tn('udp.bindLocal')}</option>
        </select>
      </Row>
      {fixed && <NumberField prop="outport" label={tn('udp.localPortNumber')} />}
      <CheckboxField prop="base64" label={tn('udp.decodeBase64')} />
      <NameRow />
      <Hint>{richText(tn('udp.outTip'), { code })}</Hint>
    </>
  );
};

// ------------------------------------------------------------------------------------------------------------ tls

/** A certificate, key or CA: an uploaded file (kept in the credentials, its name in `<kind>name`) or a local path. */
function TlsFileRow({ kind, label, placeholder, localFiles }: { kind: 'cert' | 'key' | 'ca'; label: string; placeholder: string; localFiles: boolean }): JSX.Element {
  const { node, update } = useCoreForm();
  const id = useFieldId(`${kind}file`);
  if (localFiles) return <TextField prop={kind} label={label} icon="fa-file-text-o" placeholder={placeholder} />;
  const fileName = textOf(node[`${kind}name`]);
  const credentials = (node['credentials'] ?? {}) as Record<string, unknown>;
  return (
    <Row label={label} icon="fa-file-text-o" htmlFor={id}>
      <div className="flex items-center gap-2">
        <label className="cursor-pointer rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50">
          <i aria-hidden className="fa fa-upload mr-1" />
          {tc('upload')}
          <input
            id={id} type="file" className="sr-only"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (!file) return;
              void file.text().then((data) => update({ [`${kind}name`]: file.name, credentials: { ...credentials, [`${kind}data`]: data } }));
            }}
          />
        </label>
        <span className="min-w-0 flex-1 truncate text-xs text-slate-600">{fileName}</span>
        {fileName && (
          <button
            type="button" aria-label={tn('tls.deleteFile', { label })} title={tc('delete')} className="rounded px-1 text-slate-500 hover:bg-slate-200"
            onClick={() => {
              const next = { ...credentials };
              delete next[`${kind}data`];
              update({ [`${kind}name`]: '', credentials: Object.keys(next).length > 0 ? next : undefined });
            }}
          >
            <i aria-hidden className="fa fa-times" />
          </button>
        )}
      </div>
    </Row>
  );
}

const TlsConfigForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const id = useFieldId('uselocalfiles');
  const [localFiles, setLocalFiles] = useState(['cert', 'key', 'ca'].some((k) => textOf(node[k]) !== ''));
  return (
    <>
      <ToggleRow
        id={id} label={tn('tls.localFiles')} checked={localFiles}
        onChange={(checked) => {
          setLocalFiles(checked);
          // Node-RED's save keeps either the paths or the uploads.
          if (checked) update({ certname: '', keyname: '', caname: '', ...clearedCredentials(node, ['certdata', 'keydata', 'cadata']) });
          else update({ cert: '', key: '', ca: '' });
        }}
      />
      <TlsFileRow kind="cert" label={tn('tls.cert')} placeholder={tn('tls.certPlaceholder')} localFiles={localFiles} />
      <TlsFileRow kind="key" label={tn('tls.key')} placeholder={tn('tls.keyPlaceholder')} localFiles={localFiles} />
      <CredentialField cred="passphrase" label={tn('tls.passphrase')} secret />
      <TlsFileRow kind="ca" label={tn('tls.ca')} placeholder={tn('tls.caPlaceholder')} localFiles={localFiles} />
      <CheckboxField prop="verifyservercert" label={tn('tls.verify')} />
      <TextField prop="servername" label={tn('tls.servername')} icon="fa-server" placeholder={tn('tls.servernamePlaceholder')} />
      <TextField prop="alpnprotocol" label={tn('tls.alpn')} icon="fa-cogs" placeholder={tn('tls.alpnPlaceholder')} />
      <NameRow />
    </>
  );
};

export const networkForms: Readonly<Record<string, CoreForm>> = {
  'mqtt in': MqttInForm,
  'mqtt out': MqttOutForm,
  'mqtt-broker': MqttBrokerForm,
  'http in': HttpInForm,
  'http response': HttpResponseForm,
  'http request': HttpRequestForm,
  'http proxy': HttpProxyForm,
  'websocket in': WebsocketForm,
  'websocket out': WebsocketForm,
  'websocket-listener': WebsocketListenerForm,
  'websocket-client': WebsocketClientForm,
  'tcp in': TcpInForm,
  'tcp out': TcpOutForm,
  'tcp request': TcpRequestForm,
  'udp in': UdpInForm,
  'udp out': UdpOutForm,
  'tls-config': TlsConfigForm,
};
