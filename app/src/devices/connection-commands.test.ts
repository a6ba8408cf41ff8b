import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mosquittoPubCommand, samplePropertyPost, shellQuote, simulatorCommand } from './connection-commands.ts';

/** What a POSIX shell makes of a command line: its words. */
const words = (line: string) => JSON.parse(execFileSync('sh', ['-c', `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${line.replace(/^\S+/, '')}`]).toString());

describe('connection panel commands', () => {
  it('quotes client ids, usernames and payloads so the shell passes them unchanged', () => {
    const clientId = "pk.dev|securemode=3,signmethod=hmacsha256,timestamp=1|";
    const payload = samplePropertyPost({ properties: [{ identifier: 'note', name: 'n', accessMode: 'rw', dataType: { type: 'text', specs: { length: '10' } } }] });
    const line = mosquittoPubCommand({
      endpoint: { transport: 'mqtt', host: '127.0.0.1', port: 1883, url: 'mqtt://127.0.0.1:1883' },
      clientId, username: "dev&pk", password: 'abc', topic: '/sys/pk/dev/thing/event/property/post', payload: `${payload}it's`,
    });
    expect(words(line)).toEqual(['-h', '127.0.0.1', '-p', '1883', '-i', clientId, '-u', 'dev&pk', '-P', 'abc', '-t', '/sys/pk/dev/thing/event/property/post', '-m', `${payload}it's`]);
    expect(shellQuote('a b')).toBe("'a b'");
  });

  it('tells the simulator where the server is, with the secret or without it', () => {
    const withSecret = simulatorCommand({ productKey: 'pk', deviceName: 'd@1', mqttUrl: 'mqtt://h:1', apiUrl: 'http://h:2', secret: 'ff' });
    expect(withSecret).toContain("THINGWIRE_TOKEN='<your API token>' npm run device");
    expect(withSecret).toMatch(/--product pk --device d@1 \\\n {2}--mqtt mqtt:\/\/h:1 --api http:\/\/h:2 \\\n {2}--secret ff$/);
    expect(simulatorCommand({ productKey: 'pk', deviceName: 'd', apiUrl: 'http://h:2' })).toContain("THINGWIRE_TOKEN='<admin API token>'");
  });
});
