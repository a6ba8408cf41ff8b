import { describe, expect, it } from 'vitest';
import type { DeviceCredentials } from '../devices/device-store.ts';
import { signAlink } from './alink-sign.ts';
import { DeviceAuthenticator, type DeviceConnectRequest, type ProductSignIn } from './device-authenticator.ts';
import { signThings } from './things-sign.ts';

const NOW = 1_700_000_000_000;
const SECRET = 'c0ffee'.repeat(10);

/** A registry of products and devices keyed `pk` and `pk/dn`. */
function authenticator(
  products: Record<string, ProductSignIn> = { pk: {}, pk2: {} },
  devices: Record<string, DeviceCredentials> = {
    'pk/dn': { secret: SECRET, enabled: true },
    'pk/off': { secret: SECRET, enabled: false },
    'pk/device': { secret: 'secret', enabled: true },
  },
  clock = { now: NOW },
) {
  const lookups: string[] = [];
  const auth = new DeviceAuthenticator({
    productAuth: (pk) => products[pk],
    credentialsFor: (pk, dn) => {
      lookups.push(`${pk}/${dn}`);
      return devices[`${pk}/${dn}`];
    },
  }, { now: () => clock.now });
  return { auth, clock, lookups };
}

const alink = (overrides: Partial<Parameters<typeof signAlink>[0]> = {}, secure = false): DeviceConnectRequest => ({
  ...signAlink({ productKey: 'pk', deviceName: 'dn', deviceSecret: SECRET, timestamp: NOW, ...overrides }), secure,
});
const things = (overrides: Partial<Parameters<typeof signThings>[0]> = {}): DeviceConnectRequest => ({
  ...signThings({ productKey: 'pk', deviceName: 'dn', deviceSecret: SECRET, timestamp: NOW / 1000, ...overrides }), secure: false,
});

describe('alink sign-in', () => {
  it('accepts a signed device and names its dialect and own client id', async () => {
    expect(await authenticator().auth.authenticate(alink({ clientId: 'mac-0a1b' }))).toEqual({
      ok: true, productKey: 'pk', deviceName: 'dn', dialect: 'alink', clientId: 'mac-0a1b',
    });
  });

  it("accepts Alibaba's published vector, in upper and lower case hex, and as a Buffer password", async () => {
    const { auth } = authenticator(undefined, undefined, { now: 789 });
    const request = { clientId: '12345|securemode=3,signmethod=hmacsha1,timestamp=789|', username: 'device&pk', secure: false };
    for (const password of ['FAFD82A3D602B37FB0FA8B7892F24A477F851A14', 'fafd82a3d602b37fb0fa8b7892f24a477f851a14',
      'FaFd82a3d602b37fb0fa8b7892f24a477f851A14', Buffer.from('FAFD82A3D602B37FB0FA8B7892F24A477F851A14')]) {
      expect(await auth.authenticate({ ...request, password })).toMatchObject({ ok: true, deviceName: 'device', clientId: '12345' });
    }
    expect(await auth.authenticate({
      clientId: '12345|securemode=3,signmethod=hmacsha256,timestamp=789|', username: 'device&pk', secure: false,
      password: '6074A46A91B1EBB2CC4EA42790AD0E80202C9843859FC292E57C4EB19FAD9E57',
    })).toMatchObject({ ok: true });
  });

  it('does not refuse on a securemode that does not match the transport', async () => {
    const { auth } = authenticator();
    expect(await auth.authenticate(alink({ securemode: 2 }, false))).toMatchObject({ ok: true });
    expect(await auth.authenticate(alink({ securemode: 3 }, true))).toMatchObject({ ok: true });
  });

  it('accepts the Link SDK extra parameters, which are not signed', async () => {
    const signed = alink();
    const clientId = signed.clientId.replace('|securemode', '|_v=sdk-c-4.1.0,lan=C,securemode').replace(/\|$/, ',gw=0,ext=1|');
    expect(await authenticator().auth.authenticate({ ...signed, clientId })).toMatchObject({ ok: true });
  });

  it('accepts a sign-in without timestamp unless the product requires one', async () => {
    expect(await authenticator().auth.authenticate(alink({ timestamp: null }))).toMatchObject({ ok: true });
    expect(await authenticator({ pk: { requireTimestamp: true } }).auth.authenticate(alink({ timestamp: null })))
      .toEqual({ ok: false, reason: 'missing-timestamp', productKey: 'pk', deviceName: 'dn', dialect: 'alink' });
  });

  it('accepts timestamps exactly at the window edges and refuses one millisecond beyond', async () => {
    const { auth, clock } = authenticator();
    const request = alink();
    for (const [offset, ok] of [[300_000, true], [-300_000, true], [300_001, false], [-300_001, false]] as const) {
      clock.now = NOW + offset;
      expect(await auth.authenticate(request)).toMatchObject(ok ? { ok } : { ok, reason: 'stale-timestamp' });
    }
  });

  it("uses the product's window", async () => {
    const { auth, clock } = authenticator({ pk: { timestampWindowSeconds: 60 } });
    clock.now = NOW + 60_000;
    expect(await auth.authenticate(alink())).toMatchObject({ ok: true });
    clock.now = NOW + 60_001;
    expect(await auth.authenticate(alink())).toMatchObject({ ok: false, reason: 'stale-timestamp' });
  });

  it('accepts hmacmd5 only where the product enables it', async () => {
    expect(await authenticator().auth.authenticate(alink({ signmethod: 'hmacmd5' })))
      .toMatchObject({ ok: false, reason: 'signmethod-not-allowed' });
    expect(await authenticator({ pk: { signMethods: ['hmacsha256', 'hmacmd5'] } }).auth.authenticate(alink({ signmethod: 'hmacmd5' })))
      .toMatchObject({ ok: true });
    expect(await authenticator({ pk: { signMethods: ['hmacsha256'] } }).auth.authenticate(alink({ signmethod: 'hmacsha1' })))
      .toMatchObject({ ok: false, reason: 'signmethod-not-allowed' });
  });

  it('refuses a sign method it does not know', async () => {
    const request = alink();
    expect(await authenticator().auth.authenticate({ ...request, clientId: request.clientId.replace('hmacsha256', 'hmacsha512') }))
      .toMatchObject({ ok: false, reason: 'signmethod-not-allowed' });
  });

  it('refuses a wrong signature, a signature of the wrong length and one that is not hex', async () => {
    const { auth } = authenticator();
    const request = alink();
    const password = request.password as string;
    for (const bad of [
      alink({ deviceSecret: 'other' }).password,
      password.slice(0, -2),
      `${password}00`,
      `${password.slice(0, -2)}zz`,
      '',
    ]) {
      expect(await auth.authenticate({ ...request, password: bad })).toEqual({ ok: false, reason: 'bad-signature', productKey: 'pk', deviceName: 'dn', dialect: 'alink' });
    }
    // The signature covers the client id and the timestamp.
    expect(await auth.authenticate({ ...request, clientId: request.clientId.replace('pk.dn', 'other') })).toMatchObject({ reason: 'bad-signature' });
    expect(await auth.authenticate({ ...request, clientId: request.clientId.replace(String(NOW), String(NOW + 1)) })).toMatchObject({ reason: 'bad-signature' });
  });

  it('refuses unknown devices and products after computing the signature all the same', async () => {
    const { auth, lookups } = authenticator();
    expect(await auth.authenticate(alink({ deviceName: 'ghost' }))).toEqual({ ok: false, reason: 'unknown-device', productKey: 'pk', deviceName: 'ghost', dialect: 'alink' });
    expect(await auth.authenticate(alink({ productKey: 'nope' }))).toMatchObject({ ok: false, reason: 'unknown-device' });
    expect(lookups).toEqual(['pk/ghost']);
  });

  it('refuses a disabled device only once its signature is proven', async () => {
    const { auth } = authenticator();
    expect(await auth.authenticate(alink({ deviceName: 'off' }))).toEqual({ ok: false, reason: 'disabled', productKey: 'pk', deviceName: 'off', dialect: 'alink' });
    expect(await auth.authenticate(alink({ deviceName: 'off', deviceSecret: 'wrong' }))).toMatchObject({ reason: 'bad-signature' });
  });

  it.each([
    ['no username', { username: undefined }],
    ['no password', { password: undefined }],
    ['no device name', { username: '&pk' }],
    ['no product key', { username: 'dn&' }],
    ['a device name with a topic wildcard', { username: 'd+n&pk' }],
    ['two ampersands', { username: 'dn&pk&x' }],
    ['no sign method', { clientId: `pk.dn|securemode=3,timestamp=${NOW}|` }],
    ['no parameters at all', { clientId: 'pk.dn' }],
    ['a timestamp that is not digits', { clientId: 'pk.dn|securemode=3,signmethod=hmacsha256,timestamp=soon|' }],
    ['text after the parameters', { clientId: `pk.dn|securemode=3,signmethod=hmacsha256,timestamp=${NOW}|x` }],
  ])('refuses %s as malformed', async (_, change) => {
    expect(await authenticator().auth.authenticate({ ...alink(), ...change })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('things sign-in', () => {
  it('accepts a signed device: clientId is the device name, username the product key', async () => {
    expect(await authenticator().auth.authenticate(things())).toEqual({
      ok: true, productKey: 'pk', deviceName: 'dn', dialect: 'things', clientId: 'dn',
    });
  });

  it('compares the signature case-insensitively', async () => {
    const request = things({ nonce: 'upper' });
    const [nonce, ts, signature] = (request.password as string).split('.');
    expect(await authenticator().auth.authenticate({ ...request, password: Buffer.from(`${nonce}.${ts}.${signature!.toUpperCase()}`) }))
      .toMatchObject({ ok: true });
  });

  it('refuses a nonce seen again within the window, and accepts it again after', async () => {
    const { auth, clock } = authenticator();
    expect(await auth.authenticate(things({ nonce: 'n1' }))).toMatchObject({ ok: true });
    expect(await auth.authenticate(things({ nonce: 'n1' }))).toEqual({ ok: false, reason: 'replayed-nonce', productKey: 'pk', deviceName: 'dn', dialect: 'things' });
    // Same nonce, fresher timestamp, still inside the first password's window: still a replay.
    clock.now = NOW + 200_000;
    expect(await auth.authenticate(things({ nonce: 'n1', timestamp: Math.floor(clock.now / 1000) }))).toMatchObject({ reason: 'replayed-nonce' });
    // Another device may use the same nonce.
    expect(await authenticator().auth.authenticate(things({ nonce: 'n1', deviceName: 'device', deviceSecret: 'secret' }))).toMatchObject({ ok: true });
    clock.now = NOW + 300_001;
    expect(await auth.authenticate(things({ nonce: 'n1' }))).toMatchObject({ reason: 'stale-timestamp' });
    expect(await auth.authenticate(things({ nonce: 'n1', timestamp: Math.floor(clock.now / 1000) }))).toMatchObject({ ok: true });
  });

  it('does not let a failed sign-in burn a nonce', async () => {
    const { auth } = authenticator();
    expect(await auth.authenticate(things({ nonce: 'n2', deviceSecret: 'wrong' }))).toMatchObject({ reason: 'bad-signature' });
    expect(await auth.authenticate(things({ nonce: 'n2' }))).toMatchObject({ ok: true });
  });

  it('accepts timestamps at the window edges and refuses beyond', async () => {
    const { auth, clock } = authenticator();
    const ts = NOW / 1000;
    let n = 0;
    for (const [offset, ok] of [[300_000, true], [-300_000, true], [301_000, false], [-301_000, false]] as const) {
      clock.now = NOW + offset;
      expect(await auth.authenticate(things({ nonce: `edge${n++}`, timestamp: ts }))).toMatchObject(ok ? { ok } : { ok, reason: 'stale-timestamp' });
    }
  });

  it('refuses wrong signatures, unknown and disabled devices, and products without hmacsha1', async () => {
    const { auth } = authenticator();
    expect(await auth.authenticate(things({ deviceSecret: 'other' }))).toMatchObject({ ok: false, reason: 'bad-signature', dialect: 'things' });
    expect(await auth.authenticate(things({ deviceName: 'ghost' }))).toMatchObject({ ok: false, reason: 'unknown-device', dialect: 'things' });
    expect(await auth.authenticate(things({ productKey: 'nope' }))).toMatchObject({ ok: false, reason: 'unknown-device' });
    expect(await auth.authenticate(things({ deviceName: 'off' }))).toMatchObject({ ok: false, reason: 'disabled' });
    expect(await authenticator({ pk: { signMethods: ['hmacsha256'] } }).auth.authenticate(things()))
      .toMatchObject({ ok: false, reason: 'signmethod-not-allowed' });
    // The client id is the signed device name: another device's signature does not carry over.
    expect(await auth.authenticate({ ...things(), clientId: 'device' })).toMatchObject({ ok: false, reason: 'bad-signature', deviceName: 'device' });
  });

  it('says which dialect a refused attempt used, once it named a device, for the connection history', async () => {
    const { auth } = authenticator();
    expect(await auth.authenticate({ ...things(), password: 'abc.def' })).toMatchObject({ reason: 'malformed', productKey: 'pk', dialect: 'things' });
    expect(await auth.authenticate({ ...alink(), clientId: 'pk.dn' })).toMatchObject({ reason: 'malformed', productKey: 'pk', dialect: 'alink' });
    expect(await auth.authenticate(alink({ deviceName: 'off' }))).toMatchObject({ reason: 'disabled', dialect: 'alink' });
    expect(await auth.authenticate(things({ deviceName: 'off' }))).toMatchObject({ reason: 'disabled', dialect: 'things' });
    // Nothing named, nothing recorded: no dialect to tell.
    expect(await auth.authenticate({ ...alink(), username: undefined })).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['a password without two dots', { password: 'abc.def' }],
    ['a product key with a topic separator', { username: 'p/k' }],
    ['an empty client id', { clientId: '' }],
  ])('refuses %s as malformed', async (_, change) => {
    expect(await authenticator().auth.authenticate({ ...things(), ...change })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('tells a things sign-in from an alink one by its shape, whatever the product is set to', async () => {
    const { auth } = authenticator({ pk: {} });
    expect(await auth.authenticate(things())).toMatchObject({ ok: true, dialect: 'things' });
    expect(await auth.authenticate(alink())).toMatchObject({ ok: true, dialect: 'alink' });
  });
});
