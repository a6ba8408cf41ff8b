import type { TslDataType } from '../domain/thing-model/tsl-types.ts';

type ValueType = TslDataType | Extract<TslDataType, { type: 'array' }>['specs']['item'];

/**
 * Plausible values for thing model data types, for the simulators: numbers drift inside their range (each key
 * remembers its last value), the rest is picked at random. `state` is the memory, shared with property sets so a set
 * value is where the drift goes on from.
 */
export function valueGenerator(state = new Map<string, unknown>()): (type: ValueType, key: string) => unknown {
  const generate = (type: ValueType, key: string): unknown => {
    switch (type.type) {
      case 'int': case 'float': case 'double': {
        const min = Number(type.specs?.min ?? 0);
        const max = Number(type.specs?.max ?? 100);
        const last = (state.get(key) as number | undefined) ?? (min + max) / 2;
        const next = Math.min(max, Math.max(min, last + (Math.random() - 0.5) * (max - min) * 0.05));
        state.set(key, next);
        return type.type === 'int' ? Math.round(next) : Math.round(next * 100) / 100;
      }
      case 'bool': return Math.random() < 0.5 ? 0 : 1;
      case 'enum': { const keys = Object.keys(type.specs ?? {}); return Number(keys[Math.floor(Math.random() * keys.length)] ?? 0); }
      case 'text': return `sim-${Math.random().toString(36).slice(2, 8)}`.slice(0, Number(type.specs?.length ?? 255));
      case 'date': return String(Date.now());
      case 'struct': return Object.fromEntries((type.specs ?? []).map((f) => [f.identifier, generate(f.dataType, `${key}.${f.identifier}`)]));
      case 'array': return Array.from({ length: Math.min(3, Number(type.specs.size ?? 3)) }, (_, i) => generate(type.specs.item, `${key}[${i}]`));
      default: return null;
    }
  };
  return generate;
}
