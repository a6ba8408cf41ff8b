import { BlockList, isIP } from 'node:net';

/**
 * Which addresses the platform may connect to when it makes a request on a user's behalf (webhooks now; OTA
 * downloads and ingress callbacks later). A flow author chooses the URL, and whoever chooses a URL must not be able
 * to reach what only the platform's own host can: its loopback services, the cloud metadata endpoint at
 * 169.254.169.254, the private network behind it. So every special-purpose range is refused unless the operator of
 * the platform allows it, and the check is made on the address actually connected to (see `outbound-request.ts`).
 */

/** Why an outbound request was not made. */
export type OutboundRefusalCode = 'address_refused' | 'port_refused' | 'protocol_refused';

/** A request the {@link OutboundPolicy} refused before any byte was sent; permanent: the same request is refused again. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';

  constructor(
    readonly code: OutboundRefusalCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OutboundPolicyOptions {
  /** Every address may be reached, the special-purpose ranges included (`--allow-private-webhooks`). */
  allowPrivate?: boolean;
  /** Ranges that may be reached although they are special-purpose, as CIDRs (`--webhook-allow-cidrs`). */
  allowCidrs?: readonly string[];
}

/**
 * The special-purpose ranges, each with what it is called in a refusal. IPv6 addresses that embed an IPv4 address
 * are judged by that address (see {@link embeddedIpv4}), so `::ffff:127.0.0.1` is loopback and `64:ff9b::8.8.8.8`,
 * a NAT64 address of a public host as DNS64 hands them out on IPv6-only networks, is public.
 */
const SPECIAL_RANGES: readonly { kind: string; cidrs: readonly string[] }[] = [
  { kind: 'an unspecified address', cidrs: ['0.0.0.0/8', '::/128'] },
  { kind: 'a loopback address', cidrs: ['127.0.0.0/8', '::1/128'] },
  { kind: 'a link-local address', cidrs: ['169.254.0.0/16', 'fe80::/10'] },
  // fec0::/10 (site-local) is deprecated but still routed inside some networks; 64:ff9b:1::/48 is local-use NAT64.
  { kind: 'a private address', cidrs: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fec0::/10', '64:ff9b:1::/48'] },
  { kind: 'a shared (carrier-grade NAT) address', cidrs: ['100.64.0.0/10'] },
  { kind: 'a multicast address', cidrs: ['224.0.0.0/4', 'ff00::/8'] },
  {
    kind: 'a reserved address',
    // 240/4 includes the broadcast address; then IETF protocol assignments, documentation and benchmarking ranges,
    // the IPv6 discard prefix, documentation prefix and Teredo (whose embedded address is obfuscated).
    cidrs: [
      '240.0.0.0/4', '192.0.0.0/24', '192.0.2.0/24', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24',
      '100::/64', '2001:db8::/32', '2001::/32',
      // IPv4-compatible addresses (deprecated, RFC 4291) after `::` and `::1` above: nothing legitimate uses them.
      '::/96',
    ],
  },
];

/** IPv6 prefixes that carry an IPv4 address, and the 16-bit groups it sits in. */
const EMBEDDING_PREFIXES: readonly { cidr: string; groups: readonly [number, number] }[] = [
  { cidr: '::ffff:0:0/96', groups: [6, 7] }, // IPv4-mapped
  { cidr: '::ffff:0:0:0/96', groups: [6, 7] }, // IPv4-translated (RFC 2765)
  { cidr: '64:ff9b::/96', groups: [6, 7] }, // NAT64 well-known prefix
  { cidr: '2002::/16', groups: [1, 2] }, // 6to4
];

const special = SPECIAL_RANGES.map(({ kind, cidrs }) => ({ kind, list: blockListOf(cidrs) }));
const embeddings = EMBEDDING_PREFIXES.map(({ cidr, groups }) => ({ list: blockListOf([cidr]), groups }));

/**
 * Ports the Fetch standard never calls because other protocols listen there (SMTP, IRC, …): a crafted request body
 * could speak that protocol. The outbox used `fetch` before and refused them; it still does.
 */
const BAD_PORTS = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109, 110, 111,
  113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548,
  554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665,
  6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

/** Where outbound requests may go: public addresses, plus what the platform's operator allowed. */
export class OutboundPolicy {
  readonly #allowPrivate: boolean;
  readonly #allowed: BlockList;

  /** Throws a `RangeError` for an allow-list entry that is not a CIDR. */
  constructor(options: OutboundPolicyOptions = {}) {
    this.#allowPrivate = options.allowPrivate ?? false;
    this.#allowed = blockListOf(options.allowCidrs ?? []);
  }

  /** The policy the server's configuration (`--allow-private-webhooks`, `--webhook-allow-cidrs`) asks for. */
  static fromConfig(config: { allowPrivateWebhooks: boolean; webhookAllowCidrs: readonly string[] }): OutboundPolicy {
    return new OutboundPolicy({ allowPrivate: config.allowPrivateWebhooks, allowCidrs: config.webhookAllowCidrs });
  }

  /**
   * Why the platform must not connect to `address` (an IP address), as an error that says how to allow it; undefined
   * when it may. `host` is the name that resolved to it, for the message.
   */
  addressRefusal(address: string, host?: string): OutboundRefusedError | undefined {
    const bare = address.replace(/%.*$/, '');
    const family = isIP(bare);
    if (family === 0) return new OutboundRefusedError('address_refused', `refused: ${JSON.stringify(address)} is not an IP address`);
    if (this.#allowPrivate || this.#isAllowed(bare, family)) return undefined;
    const embedded = family === 6 ? embeddedIpv4(bare) : undefined;
    if (embedded !== undefined && this.#isAllowed(embedded, 4)) return undefined;
    const judged = embedded ?? bare;
    const kind = kindOf(judged, embedded === undefined ? family : 4);
    if (kind === undefined) return undefined;
    const named = host !== undefined && host !== address && `[${address}]` !== host ? ` (${host})` : '';
    const what = embedded === undefined ? `is ${kind}` : `maps to ${embedded}, ${kind}`;
    const cidr = embedded === undefined ? `${bare}/${family === 4 ? 32 : 128}` : `${embedded}/32`;
    return new OutboundRefusedError(
      'address_refused',
      `refused: webhook address ${address}${named} ${what}; allow it with --webhook-allow-cidrs ${cidr} or --allow-private-webhooks`,
    );
  }

  /**
   * Why no request may go to `url` whatever its host resolves to: not http(s), a port other protocols use, or a host
   * that is itself an address the policy refuses (an IP literal is connected to without a lookup, so it is judged
   * here). Undefined when the request may be tried; the resolved address is judged when it connects.
   */
  urlRefusal(url: URL): OutboundRefusedError | undefined {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return new OutboundRefusedError('protocol_refused', `refused: only http:// and https:// addresses are called, not ${url.protocol}//`);
    }
    if (url.port !== '' && BAD_PORTS.has(Number(url.port))) {
      return new OutboundRefusedError(
        'port_refused',
        `port ${url.port} is on the Fetch standard's list of ports never called (it speaks another protocol); use another port`,
      );
    }
    const host = hostOf(url);
    return isIP(host) ? this.addressRefusal(host) : undefined;
  }

  #isAllowed(address: string, family: 4 | 6 | number): boolean {
    return this.#allowed.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** A URL's host as `http.request` takes it: IPv6 literals without their brackets. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

function kindOf(address: string, family: number): string | undefined {
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return special.find(({ list }) => list.check(address, type))?.kind;
}

/** The IPv4 address an IPv6 address carries (mapped, translated, NAT64, 6to4); undefined for others. */
export function embeddedIpv4(address: string): string | undefined {
  const embedding = embeddings.find(({ list }) => list.check(address, 'ipv6'));
  if (!embedding) return undefined;
  const groups = ipv6Groups(address);
  const [high, low] = embedding.groups.map((i) => groups[i]!) as [number, number];
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, a trailing dotted IPv4 part read as two groups). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const before = parse(head);
  const after = tail === undefined ? [] : parse(tail);
  return [...before, ...Array<number>(8 - before.length - after.length).fill(0), ...after];
}

/** A CIDR (`10.1.0.0/16`, `fd00::/8`) as its network, prefix length and family; undefined when it is not one. */
export function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network = '', bits, ...rest] = cidr.split('/');
  const family = isIP(network);
  const prefix = Number(bits);
  if (!family || rest.length > 0 || !/^\d{1,3}$/.test(bits ?? '') || prefix > (family === 4 ? 32 : 128)) return undefined;
  return { network, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new RangeError(`${JSON.stringify(cidr)} is not a CIDR such as 10.1.0.0/16 or fd00::/8`);
    list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return list;
}
