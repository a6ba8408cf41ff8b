import { describe, expect, it } from 'vitest';
import { OutboundPolicy, OutboundRefusedError } from './outbound-policy.ts';

const secure = new OutboundPolicy();

describe('OutboundPolicy', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['169.254.169.254', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fe80::1%eth0', 'a link-local address'],
    ['10.0.0.5', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.254', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['fd12:3456::1', 'a private address'],
    ['100.64.0.1', 'a shared (carrier-grade NAT) address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['240.0.0.1', 'a reserved address'],
    ['255.255.255.255', 'a reserved address'],
  ])('refuses %s, %s', (address, kind) => {
    const refusal = secure.addressRefusal(address);
    expect(refusal).toBeInstanceOf(OutboundRefusedError);
    expect(refusal).toMatchObject({ code: 'address_refused' });
    expect(refusal!.message).toContain(` is ${kind}; allow it with --webhook-allow-cidrs `);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '64:ff9b::808:808', '::ffff:8.8.8.8'])(
    'lets %s through: a public address',
    (address) => expect(secure.addressRefusal(address)).toBeUndefined(),
  );

  it('judges an IPv6 address that carries an IPv4 address by that address', () => {
    for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::127.0.0.1', '2002:7f00:1::1']) {
      expect(secure.addressRefusal(address)?.message).toBe(
        `refused: webhook address ${address} maps to 127.0.0.1, a loopback address; allow it with --webhook-allow-cidrs 127.0.0.1/32 or --allow-private-webhooks`,
      );
    }
    expect(secure.addressRefusal('::ffff:169.254.169.254')?.message).toContain('maps to 169.254.169.254, a link-local address');
  });

  it('says which name resolved to the address and how to allow it', () => {
    expect(secure.addressRefusal('127.0.0.1', 'localhost')?.message).toBe(
      'refused: webhook address 127.0.0.1 (localhost) is a loopback address; allow it with --webhook-allow-cidrs 127.0.0.1/32 or --allow-private-webhooks',
    );
    expect(secure.addressRefusal('::1')?.message).toBe(
      'refused: webhook address ::1 is a loopback address; allow it with --webhook-allow-cidrs ::1/128 or --allow-private-webhooks',
    );
  });

  it('lets allow-listed ranges through, and only those', () => {
    const policy = new OutboundPolicy({ allowCidrs: ['10.1.0.0/16', '127.0.0.1/32', 'fd00::/8'] });
    expect(policy.addressRefusal('10.1.200.3')).toBeUndefined();
    expect(policy.addressRefusal('127.0.0.1')).toBeUndefined();
    expect(policy.addressRefusal('::ffff:127.0.0.1')).toBeUndefined();
    expect(policy.addressRefusal('fd00::7')).toBeUndefined();
    expect(policy.addressRefusal('10.2.0.1')?.code).toBe('address_refused');
    expect(policy.addressRefusal('127.0.0.2')?.code).toBe('address_refused');
    expect(policy.addressRefusal('169.254.169.254')?.code).toBe('address_refused');
  });

  it('lets every address through with allowPrivate', () => {
    const open = new OutboundPolicy({ allowPrivate: true });
    for (const address of ['127.0.0.1', '::1', '169.254.169.254', '10.0.0.1', '::ffff:127.0.0.1']) {
      expect(open.addressRefusal(address)).toBeUndefined();
    }
  });

  it('builds itself from the server configuration', () => {
    const policy = OutboundPolicy.fromConfig({ allowPrivateWebhooks: false, webhookAllowCidrs: ['192.168.7.0/24'] });
    expect(policy.addressRefusal('192.168.7.20')).toBeUndefined();
    expect(policy.addressRefusal('192.168.8.20')?.code).toBe('address_refused');
  });

  it('refuses an allow-list entry that is not a CIDR', () => {
    expect(() => new OutboundPolicy({ allowCidrs: ['10.0.0.0'] })).toThrow(RangeError);
    expect(() => new OutboundPolicy({ allowCidrs: ['10.0.0.0/33'] })).toThrow('"10.0.0.0/33" is not a CIDR');
  });

  it('judges a URL: its scheme, its port and an IP-literal host, before any lookup', () => {
    expect(secure.urlRefusal(new URL('https://hooks.example.com/in'))).toBeUndefined();
    expect(secure.urlRefusal(new URL('http://localhost:8080/in'))).toBeUndefined(); // a name: judged when it resolves
    expect(secure.urlRefusal(new URL('http://[::1]:8080/in'))?.message).toContain('webhook address ::1 is a loopback address');
    expect(secure.urlRefusal(new URL('http://0x7f.1/in'))?.message).toContain('webhook address 127.0.0.1 is a loopback address');
    expect(secure.urlRefusal(new URL('http://mail.example.com:25/'))).toMatchObject({
      code: 'port_refused',
      message: "port 25 is on the Fetch standard's list of ports never called (it speaks another protocol); use another port",
    });
    expect(secure.urlRefusal(new URL('ftp://files.example.com/'))?.code).toBe('protocol_refused');
  });
});
