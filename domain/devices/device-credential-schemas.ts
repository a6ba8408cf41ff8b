import { Type, type Static } from '@sinclair/typebox';

/** What a device needs to connect, as the credential routes answer it: where the broker listens, and a signed sign-in. */

const Transport = Type.Union([
  Type.Literal('mqtt'), Type.Literal('mqtts'), Type.Literal('ws'), Type.Literal('wss'), Type.Literal('http'), Type.Literal('https'), Type.Literal('coap'),
  Type.Literal('tcp'), Type.Literal('udp'),
]);

export const MqttEndpoint = Type.Object({
  transport: Transport,
  host: Type.String({ description: 'The host name the caller reached this server by (IPv6 without brackets)' }),
  port: Type.Integer(),
  url: Type.String({
    description: 'As mqtt.js takes it: mqtt://host:port, mqtts://…, ws://host:port/path, wss://…; HTTP devices: the base of /auth, /topic, /commands (http://host:port/device); CoAP: coap://host:port; TCP and UDP devices: tcp://host:port, udp://host:port',
  }),
  framing: Type.Optional(Type.String({ description: 'TCP: how the listener cuts the byte stream into frames (newline, length16, length32, fixed, codec)' })),
});

const Endpoints = Type.Array(MqttEndpoint, {
  description: 'The device listeners running now (MQTT over TCP, TLS, WebSocket on the HTTP port; HTTP; CoAP; TCP; UDP); empty when no deployed flow has one',
});

export const ConnectionInfo = Type.Object({
  username: Type.String({ description: '{deviceName}&{productKey}' }),
  clientId: Type.String({ description: 'The client id\'s form; {unix ms} is the signing time' }),
  signMethod: Type.String({ description: 'The sign method a password is signed with (the strongest the product accepts)' }),
  timestampWindowSeconds: Type.Integer({ description: 'How far a signed timestamp may be from server time' }),
  endpoints: Endpoints,
});

export const SignedCredentials = Type.Object({
  clientId: Type.String(),
  username: Type.String(),
  password: Type.String({ description: 'hex HMAC of the device secret over the sign content (docs/protocol.md "Alink sign-in")' }),
  signMethod: Type.String(),
  timestamp: Type.Integer({ description: 'The signed timestamp, unix ms (also in the client id)' }),
  validUntil: Type.String({ format: 'date-time', description: 'After this the product refuses the timestamp as stale; a connection made before stays up' }),
  endpoints: Endpoints,
});

export type MqttEndpoint = Static<typeof MqttEndpoint>;
export type ConnectionInfo = Static<typeof ConnectionInfo>;
export type SignedCredentials = Static<typeof SignedCredentials>;
