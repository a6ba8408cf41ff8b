import { describe, expect, it } from 'vitest';
import { constraintText, formatBytes, funnel, percentOf, progressNote, shortHash, stepText } from './ota-format.ts';

describe('ota-format', () => {
  it('says sizes, hashes and steps', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(432_945)).toBe('422.8 KiB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3 MiB');
    expect(shortHash('a'.repeat(56) + 'deadbeef')).toBe('aaaaaaaa…beef');
    expect(shortHash('abc')).toBe('abc');
    expect(stepText(-3)).toBe('verification failed');
    expect(stepText(45)).toBe('step 45');
    expect(stepText(null)).toBe('');
  });

  it('says where an upgrade is, and for one that ended badly only where it got to', () => {
    expect(progressNote({ state: 'queued', step: null, message: '' })).toBe('');
    expect(progressNote({ state: 'notified', step: null, message: 'told to upgrade' })).toBe('told to upgrade');
    expect(progressNote({ state: 'downloading', step: 45, message: 'downloading' })).toBe('step 45: downloading');
    expect(progressNote({ state: 'failed', step: -3, message: 'told to upgrade' })).toBe('');
    expect(progressNote({ state: 'cancelled', step: 45, message: 'downloading' })).toBe('got to step 45: downloading');
    expect(progressNote({ state: 'timed_out', step: null, message: 'told to upgrade' })).toBe('');
  });

  it('says constraints', () => {
    expect(constraintText({})).toBe('');
    expect(constraintText({ minVersion: '1.0.0', maxVersion: '1.9.0' })).toBe('1.0.0 to 1.9.0');
    expect(constraintText({ minVersion: '1.0.0', fromVersions: ['1.2.0', '1.3.0'] })).toBe('1.0.0 or later; only from 1.2.0, 1.3.0');
  });

  it('counts each funnel stage as the devices there or further, with the ones that dropped out beside', () => {
    const counts = { queued: 10, notified: 5, downloading: 4, flashing: 3, succeeded: 20, failed: 2, cancelled: 1, timed_out: 5 };
    const { stages, exits } = funnel(counts, 50);
    expect(stages.map((s) => [s.id, s.count])).toEqual([['targeted', 50], ['notified', 32], ['downloading', 27], ['flashing', 23], ['succeeded', 20]]);
    expect(exits.map((s) => [s.id, s.count])).toEqual([['failed', 2], ['timed_out', 5], ['cancelled', 1]]);
    expect(percentOf(1, 3)).toBe(33);
    expect(percentOf(0, 0)).toBe(0);
  });
});
