/**
 * The forms of Node-RED's "network" core nodes (see `form-kit.tsx`): mqtt, http, websocket, tcp and udp nodes and
 * their config nodes, with Node-RED 4.1's fields, English labels, option texts and show/hide rules.
 */
import { useState, type JSX } from 'react';
import {
  CheckboxField, ConfigNodeField, FormTabs, Hint, NameRow, NumberField, Row, SelectField, TextField, textOf, useCoreForm, useFieldId, type CoreForm,
} from './form-kit.tsx';
import {
  clearedCredentials, Columns, ContentTypeInput, CredentialField, HeaderListField, HostListField, HTTP_REQUEST_HEADERS, NONE_TYPE, OptionalValue,
  OptionalValueField, ResponseHeadersField, Section, ToggleRow, useFlowNode, WEBSOCKET_HEADERS,
} from './network-widgets.tsx';

const QOS = [{ value: '0', label: '0' }, { value: '1', label: '1' }, { value: '2', label: '2' }] as const;
const isV5 = (protocolVersion: unknown) => textOf(protocolVersion) === '5';

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
      <ConfigNodeField prop="broker" type="mqtt-broker" label="Server" icon="fa-globe" />
      <SelectField
        prop="inputs" label="Action"
        options={[{ value: 0, label: 'Subscribe to single topic' }, { value: 1, label: 'Dynamic subscription' }]}
        // A dynamic subscription takes its topics from input messages: the node gets an input and no topic.
        onSelect={(value) => (value === 1 ? { inputs: 1, topic: '' } : { inputs: 0 })}
      />
      {!dynamic && (
        <>
          <TextField prop="topic" label="Topic" icon="fa-tasks" placeholder="Topic" />
          <SelectField prop="qos" label="QoS" icon="fa-empire" options={QOS} width="w-24" />
          {v5 && (
            <>
              <Row label="Flags" icon="fa-flag">
                <div className="space-y-1">
                  <CheckboxField prop="nl" label="Do not receive messages published by this client" />
                  <CheckboxField prop="rap" label="Keep retain flag of original publish" />
                </div>
              </Row>
              <SelectField
                prop="rh" label="Retained message handling" icon="fa-tag"
                options={[{ value: '0', label: 'Send retained messages' }, { value: '1', label: 'Only send for new subscriptions' }, { value: '2', label: 'Do not send' }]}
              />
            </>
          )}
        </>
      )}
      <SelectField
        prop="datatype" label="Output" icon="fa-sign-out"
        hint={node['datatype'] === 'auto' ? 'This option is deprecated. Please use the new auto-detect mode.' : undefined}
        options={[
          { value: 'auto-detect', label: 'auto-detect (parsed JSON object, string or buffer)' },
          { value: 'auto', label: 'auto-detect (string or buffer)' },
          { value: 'buffer', label: 'a Buffer' },
          { value: 'utf8', label: 'a String' },
          { value: 'json', label: 'a parsed JSON object' },
          { value: 'base64', label: 'a Base64 encoded string' },
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
      <ConfigNodeField prop="broker" type="mqtt-broker" label="Server" icon="fa-globe" />
      <TextField prop="topic" label="Topic" icon="fa-tasks" placeholder="Topic" />
      <Columns>
        <SelectField prop="qos" label="QoS" icon="fa-empire" options={[{ value: '', label: '' }, ...QOS]} />
        <SelectField prop="retain" label="Retain" icon="fa-history" options={[{ value: '', label: '' }, { value: 'false', label: 'false' }, { value: 'true', label: 'true' }]} />
      </Columns>
      {v5 && (
        <>
          <OptionalValueField prop="userProps" label="User Properties" valueType="json" />
          <OptionalValueField prop="respTopic" label="Response topic" valueType="str" />
          {textOf(node['respTopic']) !== '' && <OptionalValueField prop="correl" label="Correlation Data" valueType="str" />}
          <MqttContentTypeField prop="contentType" />
          <OptionalValueField prop="expiry" label="Expiry (secs)" valueType="num" />
        </>
      )}
      <NameRow />
      <Hint>Tip: Leave topic, qos or retain blank if you want to set them via msg properties.</Hint>
    </>
  );
};

function MqttContentTypeField({ prop }: { prop: string }): JSX.Element {
  const { node, update, commit } = useCoreForm();
  const id = useFieldId(prop);
  return (
    <Row label="Content Type" htmlFor={id}>
      <ContentTypeInput id={id} label="Content Type" value={textOf(node[prop])} onChange={(value, ongoing) => update({ [prop]: value }, ongoing)} onCommit={commit} />
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
        id={id(key)} label={`${section} ${label}`} value={textOf(message[key])} types={[NONE_TYPE, valueType]} typeOfValue={(v) => (v === '' ? 'none' : valueType)}
        onChange={(value, ongoing) => set(key, value, ongoing)} onCommit={commit}
      />
    </Row>
  );
  return (
    <>
      {section === 'will' && (
        <Row label="Delay" htmlFor={id('delay')}>
          <input
            id={id('delay')} type="text" inputMode="numeric" value={textOf(message['delay'])} className="w-24 rounded border border-slate-300 px-2 py-1 text-sm"
            onChange={(e) => set('delay', e.target.value, true)} onBlur={commit}
          />
        </Row>
      )}
      <Row label="Content Type" htmlFor={id('contentType')}>
        <ContentTypeInput id={id('contentType')} label={`${section} Content Type`} value={textOf(message['contentType'])} onChange={(v, ongoing) => set('contentType', v, ongoing)} onCommit={commit} />
      </Row>
      {optional('userProps', 'User Properties', 'json')}
      {optional('respTopic', 'Response topic', 'str')}
      {optional('correl', 'Correlation Data', 'str')}
      {optional('expiry', 'Expiry (secs)', 'num')}
    </>
  );
}

function MessageSection({ section, title, placeholder, open, v5 }: { section: 'birth' | 'close' | 'will'; title: string; placeholder: string; open: boolean; v5: boolean }) {
  return (
    <Section title={title} open={open}>
      <Columns>
        <TextField prop={`${section}Topic`} label="Topic" icon="fa-tasks" placeholder={placeholder} />
        <SelectField prop={`${section}Retain`} label="Retain" icon="fa-history" options={[{ value: 'false', label: 'false' }, { value: 'true', label: 'true' }]} />
      </Columns>
      <Columns>
        <TextField prop={`${section}Payload`} label="Payload" icon="fa-envelope" placeholder="Payload" />
        <SelectField prop={`${section}Qos`} label="QoS" icon="fa-empire" options={QOS} />
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
            id: 'connection', label: 'Connection',
            content: (
              <>
                <Columns>
                  <TextField prop="broker" label="Server" icon="fa-globe" placeholder="e.g. localhost" />
                  {url ? (
                    <Row label="Port"><Hint>set by the URL</Hint></Row>
                  ) : (
                    <NumberField prop="port" label="Port" placeholder="Port" width="w-full" />
                  )}
                </Columns>
                <CheckboxField prop="autoConnect" label="Connect automatically" />
                <UseTlsRow />
                <SelectField
                  prop="protocolVersion" label="Protocol" icon="fa-cog"
                  options={[{ value: 3, label: 'MQTT V3.1 (legacy)' }, { value: 4, label: 'MQTT V3.1.1' }, { value: 5, label: 'MQTT V5' }]}
                  // Node-RED's select stores the option text ("5"); leaving MQTT 5 drops the MQTT 5 message properties.
                  onSelect={(value) => (String(value) === '5' ? { protocolVersion: '5' } : { protocolVersion: String(value), userProps: '', birthMsg: {}, closeMsg: {}, willMsg: {} })}
                />
                <TextField prop="clientid" label="Client ID" icon="fa-tag" placeholder={clean ? 'Leave blank for auto generated' : 'Must be set for non-clean sessions'} />
                <NumberField prop="keepalive" label="Keep Alive" icon="fa-heartbeat" />
                <Row label="Session" icon="fa-info">
                  <div className="space-y-2">
                    <CheckboxField prop="cleansession" label={v5 ? 'Use clean start' : 'Use clean session'} />
                    {!clean && <CheckboxField prop="autoUnsubscribe" label="Automatically unsubscribe when disconnecting" />}
                    {v5 && <NumberField prop="sessionExpiry" label="Session Expiry (secs)" />}
                  </div>
                </Row>
                {v5 && <OptionalValueField prop="userProps" label="User Properties" valueType="json" />}
              </>
            ),
          },
          {
            id: 'security', label: 'Security',
            content: (
              <>
                <CredentialField cred="user" label="Username" icon="fa-user" />
                <CredentialField cred="password" label="Password" icon="fa-lock" secret />
              </>
            ),
          },
          {
            id: 'messages', label: 'Messages',
            content: (
              <>
                <MessageSection section="birth" title="Message sent on connection (birth message)" placeholder="Leave blank to disable birth message" open={openBirth} v5={v5} />
                <MessageSection section="close" title="Message sent before disconnecting (close message)" placeholder="Leave blank to disable close message" open={topics.close !== ''} v5={v5} />
                <MessageSection section="will" title="Message sent on an unexpected disconnection (will message)" placeholder="Leave blank to disable will message" open={topics.will !== ''} v5={v5} />
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
    <ToggleRow id={id} label="Use TLS" checked={on} onChange={(checked) => update(checked ? { usetls: true } : { usetls: false, ...(textOf(node['tls']) ? { tls: '' } : {}) })}>
      <ConfigNodeField prop="tls" type="tls-config" label="TLS Configuration" />
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
        prop="method" label="Method" icon="fa-tasks"
        options={['get', 'post', 'put', 'delete', 'patch'].map((m) => ({ value: m, label: m.toUpperCase() }))}
      />
      {hasBody && (
        <div className="space-y-1 pl-5">
          {method === 'post' && <CheckboxField prop="upload" label="Accept file uploads" />}
          <CheckboxField prop="skipBodyParsing" label="Do not parse request body" />
        </div>
      )}
      <TextField prop="url" label="URL" icon="fa-globe" placeholder="/url" />
      <CheckboxField
        prop="public" label="Public (no sign-in)"
        hint="Thingwire: anyone who can reach the server may call it. Otherwise callers need a Thingwire session or API token."
      />
      <NameRow />
      <Hint>
        The url will be relative to <code>/nodes</code>.
      </Hint>
    </>
  );
};

const HttpResponseForm: CoreForm = () => (
  <>
    <NameRow />
    <NumberField prop="statusCode" label="Status code" icon="fa-long-arrow-left" placeholder="msg.statusCode" />
    <ResponseHeadersField prop="headers" />
    <Hint>
      The headers and status code can also be set by the message: <code>msg.headers</code> and <code>msg.statusCode</code>.
    </Hint>
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
        prop="method" label="Method" icon="fa-tasks"
        options={[...['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].map((m) => ({ value: m, label: m })), { value: 'use', label: '- set by msg.method -' }]}
        // Node-RED's save writes the Payload select (hidden unless GET) as its mode's name: "ignore" for an untouched false.
        onSelect={(value) => ({ method: value, paytoqs })}
      />
      <TextField prop="url" label="URL" icon="fa-globe" placeholder="https://" />
      {node['method'] === 'GET' && (
        // Node-RED shows an untouched `false` (and old `true`) as their modes; a choice stores the mode's name.
        <Row label="Payload" htmlFor={paytoqsId}>
          <select id={paytoqsId} value={paytoqs} className="w-full rounded border border-slate-300 px-2 py-1 text-sm" onChange={(e) => update({ paytoqs: e.target.value })}>
            <option value="ignore">Ignore</option>
            <option value="query">Append to query-string parameters</option>
            <option value="body">Send as request body</option>
          </select>
        </Row>
      )}
      <ConfigToggle prop="tls" type="tls-config" toggleLabel="Use custom SSL/TLS configuration" fieldLabel="TLS Configuration" />
      <ToggleRow
        id={useAuthId} label="Use authentication" checked={useAuth}
        onChange={(checked) => {
          setUseAuth(checked);
          // Node-RED: ticking starts on basic authentication; unticking forgets the type, user and password.
          update(checked ? { authType: authType || 'basic' } : { authType: '', ...clearedCredentials(node, ['user', 'password']) });
        }}
      >
        <SelectField
          prop="authType" label="Type" icon="fa-user-secret"
          options={[{ value: 'basic', label: 'basic authentication' }, { value: 'digest', label: 'digest authentication' }, { value: 'bearer', label: 'bearer authentication' }]}
          onSelect={(value) => (value === 'bearer' ? { authType: value, ...clearedCredentials(node, ['user']) } : { authType: value })}
        />
        {authType !== 'bearer' && <CredentialField cred="user" label="Username" icon="fa-user" />}
        <CredentialField cred="password" label={authType === 'bearer' ? 'Token' : 'Password'} icon="fa-lock" secret />
      </ToggleRow>
      <CheckboxField prop="persist" label="Enable connection keep-alive" />
      <ConfigToggle prop="proxy" type="http proxy" toggleLabel="Use proxy" fieldLabel="Proxy Configuration" />
      <CheckboxField prop="senderr" label="Only send non-2xx responses to Catch node" />
      <CheckboxField prop="insecureHTTPParser" label="Disable strict HTTP parsing" />
      <SelectField
        prop="ret" label="Return" icon="fa-arrow-left"
        hint={node['ret'] === 'obj' ? 'If the response is not valid JSON, msg.payload is the text and the node warns.' : undefined}
        options={[{ value: 'txt', label: 'a UTF-8 string' }, { value: 'bin', label: 'a binary buffer' }, { value: 'obj', label: 'a parsed JSON object' }]}
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
      <TextField prop="url" label="URL" icon="fa-globe" placeholder="http://hostname:port" />
      <ToggleRow
        id={id} label="Use proxy authentication" checked={useAuth}
        onChange={(checked) => {
          setUseAuth(checked);
          if (!checked) update(clearedCredentials(node, ['username', 'password']));
        }}
      >
        <CredentialField cred="username" label="Username" icon="fa-user" />
        <CredentialField cred="password" label="Password" icon="fa-lock" secret />
      </ToggleRow>
      <HostListField prop="noproxy" label="Ignore hosts" icon="fa-list" />
    </>
  );
};

// ------------------------------------------------------------------------------------------------------ websocket

const SEND_RECEIVE = [{ value: 'false', label: 'payload' }, { value: 'true', label: 'entire message' }];

/** websocket in and out: listen on a path (a websocket-listener) or connect to a URL (a websocket-client). */
const WebsocketForm: CoreForm = () => {
  const { node, update } = useCoreForm();
  const id = useFieldId('mode');
  const [mode, setMode] = useState<'server' | 'client'>(textOf(node['client']) !== '' ? 'client' : 'server');
  return (
    <>
      <Row label="Type" icon="fa-dot-circle-o" htmlFor={id}>
        <select
          id={id} value={mode} className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          onChange={(e) => {
            const next = e.target.value === 'client' ? 'client' : 'server';
            setMode(next);
            // Node-RED's save keeps only the reference of the chosen mode.
            update(next === 'client' ? { server: '' } : { client: '' });
          }}
        >
          <option value="server">Listen on</option>
          <option value="client">Connect to</option>
        </select>
      </Row>
      {mode === 'server' ? (
        <ConfigNodeField prop="server" type="websocket-listener" label="Path" icon="fa-bookmark" />
      ) : (
        <ConfigNodeField prop="client" type="websocket-client" label="URL" icon="fa-bookmark" />
      )}
      <NameRow />
    </>
  );
};

const WebsocketListenerForm: CoreForm = () => (
  <>
    <TextField prop="path" label="Path" icon="fa-bookmark" placeholder="/ws/example" />
    <SelectField prop="wholemsg" label="Send/Receive" options={SEND_RECEIVE} />
    <CheckboxField
      prop="public" label="Public (no sign-in)"
      hint="Thingwire: anyone who can reach the server may connect. Otherwise clients need a Thingwire session or API token."
    />
    <Hint>
      By default, <code>payload</code> will contain the data to be sent over, or received from a websocket. The listener can be configured
      to send or receive the entire message object as a JSON formatted string. The path will be relative to <code>/nodes</code>.
    </Hint>
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
      <TextField prop="path" label="URL" icon="fa-bookmark" placeholder="ws://example.com/ws" />
      {secure && <ConfigNodeField prop="tls" type="tls-config" label="TLS Configuration" />}
      <TextField prop="subprotocol" label="Subprotocol" icon="fa-tag" />
      <SelectField prop="wholemsg" label="Send/Receive" options={SEND_RECEIVE} />
      <ToggleRow
        id={id} label="Send heartbeat" checked={heartbeat}
        onChange={(checked) => {
          setHeartbeat(checked);
          // Node-RED's save writes "0" for no heartbeat.
          update({ hb: checked ? '' : '0' });
        }}
      >
        <NumberField prop="hb" label="Every" suffix="seconds" />
      </ToggleRow>
      <HeaderListField prop="headers" presets={WEBSOCKET_HEADERS} />
      <Hint>
        URL should use ws:// or wss:// scheme and point to an existing websocket listener. By default, <code>payload</code> will contain the
        data to be sent over, or received from a websocket. Headers are only sent during the protocol upgrade.
      </Hint>
    </>
  );
};

// ------------------------------------------------------------------------------------------------------- tcp, udp

/** The "Use custom SSL/TLS configuration" row of the tcp nodes. */
const TcpTls = () => <ConfigToggle prop="tls" type="tls-config" toggleLabel="Use custom SSL/TLS configuration" fieldLabel="TLS Configuration" />;

const TcpInForm: CoreForm = () => {
  const { node } = useCoreForm();
  const newline = node['datamode'] === 'stream' && node['datatype'] === 'utf8';
  return (
    <>
      <Columns>
        <SelectField prop="server" label="Type" icon="fa-dot-circle-o" options={[{ value: 'server', label: 'Listen on' }, { value: 'client', label: 'Connect to' }]} />
        <NumberField prop="port" label="port" width="w-full" />
      </Columns>
      {node['server'] === 'client' && <TextField prop="host" label="at host" placeholder="localhost" />}
      <TcpTls />
      <Columns>
        <SelectField prop="datamode" label="Output" icon="fa-sign-out" options={[{ value: 'stream', label: 'stream of' }, { value: 'single', label: 'single' }]} />
        <SelectField
          prop="datatype" label="payload(s)"
          options={[{ value: 'buffer', label: 'Buffer' }, { value: 'utf8', label: 'String' }, { value: 'base64', label: 'Base64 String' }]}
        />
      </Columns>
      {newline && (
        <>
          <TextField prop="newline" label="delimited by" placeholder="(optional)" mono />
          <CheckboxField prop="trim" label="re-attach delimiter" />
        </>
      )}
      <TextField prop="topic" label="Topic" icon="fa-tasks" placeholder="Topic" />
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
          prop="beserver" label="Type" icon="fa-dot-circle-o"
          options={[{ value: 'server', label: 'Listen on' }, { value: 'client', label: 'Connect to' }, { value: 'reply', label: 'Reply to TCP' }]}
        />
        {mode !== 'reply' && <NumberField prop="port" label="port" width="w-full" />}
      </Columns>
      {mode === 'client' && <TextField prop="host" label="at host" />}
      {mode !== 'reply' && (
        <>
          <TcpTls />
          <CheckboxField prop="end" label="Close connection after each message is sent?" />
        </>
      )}
      <CheckboxField prop="base64" label="Decode Base64 message?" />
      <NameRow />
    </>
  );
};

/** What `splitc` becomes when "Close" changes, as Node-RED's form resets it. */
const SPLIT_DEFAULTS: Readonly<Record<string, string>> = { char: '\\n', time: '0', immed: ' ', count: '12', sit: ' ' };

const TcpRequestForm: CoreForm = () => {
  const { node } = useCoreForm();
  const out = textOf(node['out'], 'time');
  const units = out === 'time' ? 'ms' : out === 'count' ? 'chars' : undefined;
  return (
    <>
      <Columns>
        <TextField prop="server" label="Server" icon="fa-globe" placeholder="ip.address" />
        <NumberField prop="port" label="port" width="w-full" />
      </Columns>
      <TcpTls />
      <SelectField prop="ret" label="Return" icon="fa-sign-out" options={[{ value: 'buffer', label: 'Buffer' }, { value: 'string', label: 'String' }]} />
      <SelectField
        prop="out" label="Close" icon="fa-sign-out"
        options={[
          { value: 'time', label: 'after a fixed timeout of' },
          { value: 'char', label: 'when character received is' },
          { value: 'count', label: 'after a fixed number of characters' },
          { value: 'sit', label: "never - keep connection open" },
          { value: 'immed', label: "immediately - don't wait for reply" },
        ]}
        onSelect={(value) => (value === out ? { out: value } : { out: value, splitc: SPLIT_DEFAULTS[String(value)] ?? ' ' })}
      />
      {out !== 'immed' && out !== 'sit' && (
        <TextField prop="splitc" label={units ? `Close after (${units})` : 'Close on character'} mono />
      )}
      {node['ret'] === 'string' && out === 'sit' && (
        <>
          <TextField prop="newline" label="delimited by" placeholder="(optional)" mono />
          <CheckboxField prop="trim" label="re-attach delimiter" />
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
      <SelectField prop="multicast" label="Listen for" icon="fa-sign-in" options={[{ value: 'false', label: 'udp messages' }, { value: 'true', label: 'multicast messages' }]} />
      {multicast && (
        <>
          <TextField prop="group" label="Group" icon="fa-list" placeholder="225.0.18.83" />
          <TextField prop="iface" label="Local IF" icon="fa-random" placeholder="(optional) local interface or address to bind to" />
        </>
      )}
      <Columns>
        <NumberField prop="port" label="on Port" icon="fa-sign-in" width="w-full" />
        <SelectField prop="ipv" label="using" options={[{ value: 'udp4', label: 'ipv4' }, { value: 'udp6', label: 'ipv6' }]} />
      </Columns>
      <SelectField
        prop="datatype" label="Output" icon="fa-sign-out"
        options={[{ value: 'buffer', label: 'a Buffer' }, { value: 'utf8', label: 'a String' }, { value: 'base64', label: 'a Base64 encoded string' }]}
      />
      <NameRow />
      <Hint>Tip: Make sure your firewall will allow the data in.</Hint>
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
          prop="multicast" label="Send a" icon="fa-envelope"
          options={[{ value: 'false', label: 'udp message' }, { value: 'broad', label: 'broadcast message' }, { value: 'multi', label: 'multicast message' }]}
        />
        <NumberField prop="port" label="to port" width="w-full" />
      </Columns>
      <Columns>
        <TextField
          prop="addr" label={multicast === 'multi' ? 'Group' : 'Address'} icon="fa-list"
          placeholder={multicast === 'multi' ? '225.0.18.83' : multicast === 'broad' ? '255.255.255.255' : 'destination ip'}
        />
        <SelectField prop="ipv" label="IP version" options={[{ value: 'udp4', label: 'ipv4' }, { value: 'udp6', label: 'ipv6' }]} />
      </Columns>
      {multicast === 'multi' && <TextField prop="iface" label="Local IF" icon="fa-random" placeholder="(optional) local interface or address to bind to" />}
      <Row label="Local port" htmlFor={bindId}>
        <select
          id={bindId} value={fixed ? 'fixed' : 'random'} className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
          onChange={(e) => {
            const isFixed = e.target.value === 'fixed';
            setFixed(isFixed);
            if (!isFixed) update({ outport: '' });
          }}
        >
          <option value="random">{multicast === 'false' ? 'bind to random local port' : 'bind to target port'}</option>
          <option value="fixed">bind to local port</option>
        </select>
      </Row>
      {fixed && <NumberField prop="outport" label="Local port number" />}
      <CheckboxField prop="base64" label="Decode Base64 encoded payload?" />
      <NameRow />
      <Hint>
        Tip: leave address and port blank if you want to set using <code>msg.ip</code> and <code>msg.port</code>.
      </Hint>
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
          Upload
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
            type="button" aria-label={`Delete ${label}`} title="Delete" className="rounded px-1 text-slate-500 hover:bg-slate-200"
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
        id={id} label="Use key and certificates from local files" checked={localFiles}
        onChange={(checked) => {
          setLocalFiles(checked);
          // Node-RED's save keeps either the paths or the uploads.
          if (checked) update({ certname: '', keyname: '', caname: '', ...clearedCredentials(node, ['certdata', 'keydata', 'cadata']) });
          else update({ cert: '', key: '', ca: '' });
        }}
      />
      <TlsFileRow kind="cert" label="Certificate" placeholder="path to certificate (PEM format)" localFiles={localFiles} />
      <TlsFileRow kind="key" label="Private Key" placeholder="path to private key (PEM format)" localFiles={localFiles} />
      <CredentialField cred="passphrase" label="Passphrase" secret />
      <TlsFileRow kind="ca" label="CA Certificate" placeholder="path to CA certificate (PEM format)" localFiles={localFiles} />
      <CheckboxField prop="verifyservercert" label="Verify server certificate" />
      <TextField prop="servername" label="Server Name" icon="fa-server" placeholder="for use with SNI" />
      <TextField prop="alpnprotocol" label="ALPN Protocol" icon="fa-cogs" placeholder="for use with ALPN" />
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
