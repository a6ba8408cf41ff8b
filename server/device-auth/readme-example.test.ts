import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signAlink } from './alink-sign.ts';

/** The README's copy-paste mosquitto_pub line must carry a real signature for the secret it prints. */
describe('README device example', () => {
  it('signs the example device with the example secret exactly as printed', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const password = /-P '([0-9a-f]{64})'/.exec(readme)?.[1];
    const secret = /# secret: ([0-9a-f]{64})/.exec(readme)?.[1];
    const clientId = /-i '([^|']+)\|securemode=3,signmethod=hmacsha256\|'/.exec(readme)?.[1];
    expect(password && secret && clientId).toBeTruthy();
    const signed = signAlink({ productKey: 'a1sensor', deviceName: 'room-101', deviceSecret: secret!, clientId: clientId!, timestamp: null });
    expect(signed.password).toBe(password);
    expect(readme).toContain(`-u '${signed.username}'`);
  });
});
