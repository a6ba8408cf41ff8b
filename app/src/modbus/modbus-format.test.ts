import { describe, expect, it } from 'vitest';
import { formatReadValue, rawCells } from './modbus-format.ts';

describe('what read now shows', () => {
  it('shows registers in decimal and hex and bits as 1 and 0, each at its address', () => {
    expect(rawCells({ address: 10, raw: [17254, 32768, 0] })).toEqual([
      { address: 10, decimal: '17254', hex: '0x4366' },
      { address: 11, decimal: '32768', hex: '0x8000' },
      { address: 12, decimal: '0', hex: '0x0000' },
    ]);
    expect(rawCells({ address: 0, raw: [true, false] })).toEqual([{ address: 0, decimal: '1', hex: '' }, { address: 1, decimal: '0', hex: '' }]);
    expect(rawCells({ address: 0 })).toEqual([]);
  });

  it('quotes strings so padding shows', () => {
    expect(formatReadValue(230.5)).toBe('230.5');
    expect(formatReadValue('AB ')).toBe('"AB "');
    expect(formatReadValue(true)).toBe('true');
    expect(formatReadValue(undefined)).toBe('–');
  });
});
