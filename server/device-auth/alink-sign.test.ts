import { describe, expect, it } from 'vitest';
import { alinkSignContent, alinkSignature, parseAlinkClientId, signAlink } from './alink-sign.ts';

// Published by Alibaba with its signing documentation (docs/protocol.md "Test vectors").
const VECTOR = { clientId: '12345', deviceName: 'device', productKey: 'pk', timestamp: '789' };

describe('alink signature', () => {
  it("reproduces Alibaba's test vector for hmacsha1 and hmacsha256", () => {
    expect(alinkSignContent(VECTOR)).toBe('clientId12345deviceNamedeviceproductKeypktimestamp789');
    expect(alinkSignature('hmacsha1', 'secret', VECTOR).toUpperCase()).toBe('FAFD82A3D602B37FB0FA8B7892F24A477F851A14');
    expect(alinkSignature('hmacsha256', 'secret', VECTOR).toUpperCase())
      .toBe('6074A46A91B1EBB2CC4EA42790AD0E80202C9843859FC292E57C4EB19FAD9E57');
  });

  it('leaves clientId and timestamp out of the signed content when the client id has none', () => {
    expect(alinkSignContent({ deviceName: 'device', productKey: 'pk' })).toBe('deviceNamedeviceproductKeypk');
    expect(alinkSignContent({ clientId: '', deviceName: 'device', productKey: 'pk', timestamp: '1' }))
      .toBe('deviceNamedeviceproductKeypktimestamp1');
  });
});

describe('parseAlinkClientId', () => {
  it('reads the id and the three signed-in parameters', () => {
    expect(parseAlinkClientId('12345|securemode=3,signmethod=hmacsha256,timestamp=789|')).toEqual({
      id: '12345', securemode: '3', signmethod: 'hmacsha256', timestamp: '789',
    });
  });

  it("ignores the Link SDK's extra parameters wherever they stand", () => {
    expect(parseAlinkClientId('pk.dn|_v=sdk-c-4.1.0,securemode=2,lan=C,signmethod=hmacsha1,gw=0,ext=1,timestamp=1|'))
      .toEqual({ id: 'pk.dn', securemode: '2', signmethod: 'hmacsha1', timestamp: '1' });
  });

  it('tolerates absent parameters, an empty id and a missing closing bar', () => {
    expect(parseAlinkClientId('plain-id')).toEqual({ id: 'plain-id' });
    expect(parseAlinkClientId('dev|signmethod=hmacsha1|')).toEqual({ id: 'dev', signmethod: 'hmacsha1' });
    expect(parseAlinkClientId('|signmethod=hmacsha1,timestamp=5|')).toEqual({ id: '', signmethod: 'hmacsha1', timestamp: '5' });
    expect(parseAlinkClientId('dev|signmethod=hmacsha1')).toEqual({ id: 'dev', signmethod: 'hmacsha1' });
    expect(parseAlinkClientId('dev||')).toEqual({ id: 'dev' });
    expect(parseAlinkClientId('dev|signmethod=hmacsha1,,|')).toEqual({ id: 'dev', signmethod: 'hmacsha1' });
  });

  it('refuses text after the closing bar and parameters without "="', () => {
    expect(parseAlinkClientId('dev|signmethod=hmacsha1|trailing')).toBeUndefined();
    expect(parseAlinkClientId('dev|signmethod=hmacsha1|x|')).toBeUndefined();
    expect(parseAlinkClientId('dev|securemode,signmethod=hmacsha1|')).toBeUndefined();
    expect(parseAlinkClientId('dev|securemode|signmethod=a|')).toBeUndefined();
  });
});

describe('signAlink', () => {
  it('builds the clientId, username and password a Link SDK device sends', () => {
    const signed = signAlink({ productKey: 'pk', deviceName: 'device', deviceSecret: 'secret', clientId: '12345', timestamp: 789, signmethod: 'hmacsha1' });
    expect(signed).toEqual({
      clientId: '12345|securemode=3,signmethod=hmacsha1,timestamp=789|',
      username: 'device&pk',
      password: 'fafd82a3d602b37fb0fa8b7892f24a477f851a14',
    });
  });

  it('defaults to clientId {pk}.{dn}, hmacsha256 and the current time', () => {
    const before = Date.now();
    const signed = signAlink({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's' });
    const parsed = parseAlinkClientId(signed.clientId)!;
    expect(parsed).toMatchObject({ id: 'pk.dn', securemode: '3', signmethod: 'hmacsha256' });
    expect(Number(parsed.timestamp)).toBeGreaterThanOrEqual(before);
    expect(signed.password).toBe(alinkSignature('hmacsha256', 's', { clientId: 'pk.dn', deviceName: 'dn', productKey: 'pk', timestamp: parsed.timestamp }));
  });

  it('can send no timestamp, TLS securemode and no client id', () => {
    const signed = signAlink({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', timestamp: null, securemode: 2, clientId: '' });
    expect(signed.clientId).toBe('|securemode=2,signmethod=hmacsha256|');
    expect(signed.password).toBe(alinkSignature('hmacsha256', 's', { deviceName: 'dn', productKey: 'pk' }));
  });

  it('refuses a client id that would break the parameter syntax', () => {
    expect(() => signAlink({ productKey: 'pk', deviceName: 'dn', deviceSecret: 's', clientId: 'a|b' })).toThrow(/may not contain/);
  });
});
