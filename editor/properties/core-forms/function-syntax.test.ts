import { describe, expect, it } from 'vitest';
import { functionNodeErrors, syntaxErrorCount } from './function-syntax.ts';

describe("a function node's syntax errors (Node-RED's noerr)", () => {
  it('accepts a function body as Node-RED runs it: return and await at the top, template strings', () => {
    expect(syntaxErrorCount('\nreturn msg;')).toBe(0);
    expect(syntaxErrorCount("msg.payload = await flow.get('x'); return [msg, null];")).toBe(0);
    expect(syntaxErrorCount('const t = `${msg.payload}°C`;\nnode.warn(t);\nreturn msg;')).toBe(0);
    expect(syntaxErrorCount('')).toBe(0);
    expect(syntaxErrorCount(undefined)).toBe(0);
  });

  it('counts code that does not parse, in every tab', () => {
    expect(syntaxErrorCount('return msg +;')).toBeGreaterThan(0);
    expect(functionNodeErrors({ func: 'return msg;', initialize: 'if (x {', finalize: '' })).toBeGreaterThan(0);
    expect(functionNodeErrors({ func: 'return msg;', initialize: '', finalize: '' })).toBe(0);
  });
});
