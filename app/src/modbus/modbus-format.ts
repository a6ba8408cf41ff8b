/**
 * How the Modbus screens show what a slave answered and how polling goes: registers in decimal and hex (the hex is
 * what shows a byte order mistake), bits as 1 and 0, decoded values, the poll state's colour. Pure, no React.
 */
import type { ModbusPollState, ReadNowRequest } from '../../../domain/modbus/modbus-api.ts';
import type { Tone } from '../ui/badge.tsx';

export interface RawCell {
  address: number;
  decimal: string;
  /** `0x4366` for a register; empty for a bit. */
  hex: string;
}

/** Each register or bit a request got, with its address. */
export function rawCells(request: Pick<ReadNowRequest, 'address' | 'raw'>): RawCell[] {
  return (request.raw ?? []).map((value: number | boolean, i) => {
    const address = request.address + i;
    if (typeof value === 'boolean') return { address, decimal: value ? '1' : '0', hex: '' };
    return { address, decimal: String(value), hex: `0x${(value & 0xffff).toString(16).padStart(4, '0')}` };
  });
}

/** A decoded value as text: strings quoted, so an empty or padded string shows as one. */
export function formatReadValue(value: unknown): string {
  if (value === undefined) return '–';
  return typeof value === 'number' ? String(value) : JSON.stringify(value);
}

export const POLL_STATE_TONES: Record<ModbusPollState, Tone> = { polling: 'green', failing: 'amber', offline: 'red', 'not-polled': 'neutral' };
