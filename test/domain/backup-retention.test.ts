import { describe, expect, it } from 'vitest';
import { parseKeepPolicy, periodOf, planRetention, type DatedBackup } from '../../src/domain/backup-retention.js';

const at = (iso: string): DatedBackup => ({ name: `profiles-${iso.replace(/[-:]/g, '')}.db`, atMs: Date.parse(iso) });
const nameOf = (iso: string): string => at(iso).name;

/** A backup every day at 03:00 UTC from `from` to `to` (inclusive). */
const dailyBackups = (from: string, to: string): DatedBackup[] => {
  const out: DatedBackup[] = [];
  for (let ms = Date.parse(`${from}T03:00:00Z`); ms <= Date.parse(`${to}T03:00:00Z`); ms += 86_400_000) {
    out.push(at(new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')));
  }
  return out;
};

describe('backup retention', () => {
  it('reads daily=7,weekly=4,monthly=6 as counts, Nd as days, and the ops notes\' 7/14/30 as days per tier', () => {
    expect(parseKeepPolicy('daily=7,weekly=4,monthly=6')).toEqual([
      { tier: 'daily', count: 7 },
      { tier: 'weekly', count: 4 },
      { tier: 'monthly', count: 6 },
    ]);
    expect(parseKeepPolicy('monthly=12d')).toEqual([{ tier: 'monthly', withinDays: 12 }]);
    expect(parseKeepPolicy('7/14/30')).toEqual([
      { tier: 'daily', withinDays: 7 },
      { tier: 'weekly', withinDays: 14 },
      { tier: 'monthly', withinDays: 30 },
    ]);
    expect(() => parseKeepPolicy('daily=7,daily=3')).toThrow('daily is given twice');
    expect(() => parseKeepPolicy('hourly=3')).toThrow('cannot read "hourly=3"');
    expect(() => parseKeepPolicy('daily=0')).toThrow('daily must keep at least 1');
    expect(() => parseKeepPolicy('7/0/30')).toThrow('every tier keeps at least 1 day');
  });

  it('puts a time in its UTC day, ISO week (the week of its Thursday, also across New Year) and month', () => {
    expect(periodOf('daily', Date.parse('2026-12-06T23:59:59Z'))).toBe('2026-12-06');
    expect(periodOf('weekly', Date.parse('2026-11-30T00:00:00Z'))).toBe('2026-W49'); // Monday
    expect(periodOf('weekly', Date.parse('2026-12-06T23:59:59Z'))).toBe('2026-W49'); // its Sunday
    expect(periodOf('weekly', Date.parse('2027-01-01T12:00:00Z'))).toBe('2026-W53'); // a Friday of 2026's last week
    expect(periodOf('weekly', Date.parse('2024-12-30T12:00:00Z'))).toBe('2025-W01'); // a Monday of 2025's first week
    expect(periodOf('monthly', Date.parse('2026-02-28T23:00:00Z'))).toBe('2026-02');
  });

  it('daily=7,weekly=4,monthly=6 keeps the newest backup of the 7 last days, 4 last ISO weeks and 6 last months', () => {
    const backups = [...dailyBackups('2026-05-01', '2026-12-06'), at('2026-12-06T01:00:00Z')];
    const plan = planRetention(backups, parseKeepPolicy('daily=7,weekly=4,monthly=6'), Date.parse('2026-12-06T12:00:00Z'));
    expect(plan.keep.map((kept) => kept.name)).toEqual(
      ['2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-11-30', '2026-11-29', '2026-11-22', '2026-11-15', '2026-10-31', '2026-09-30', '2026-08-31', '2026-07-31'].map(
        (day) => nameOf(`${day}T03:00:00Z`),
      ),
    );
    expect(plan.keep[0].reasons).toEqual(['newest', 'daily 2026-12-06', 'weekly 2026-W49', 'monthly 2026-12']);
    expect(plan.remove).toContain(nameOf('2026-12-06T01:00:00Z')); // an older backup of a day already kept
    expect(plan.remove).toHaveLength(backups.length - 14);
  });

  it('7/14/30 keeps per day what is under 7 days old, per week under 14, per month under 30', () => {
    const backups = dailyBackups('2026-10-01', '2026-12-06');
    const plan = planRetention(backups, parseKeepPolicy('7/14/30'), Date.parse('2026-12-06T12:00:00Z'));
    expect(plan.keep.map((kept) => kept.name)).toEqual(
      ['2026-12-06', '2026-12-05', '2026-12-04', '2026-12-03', '2026-12-02', '2026-12-01', '2026-11-30', '2026-11-29'].map((day) => nameOf(`${day}T03:00:00Z`)),
    );
  });

  it('never deletes the newest backup, nor the one just written when another claims a later time', () => {
    const old = at('2020-01-01T00:00:00Z');
    expect(planRetention([old], parseKeepPolicy('daily=1d'), Date.parse('2026-12-06T00:00:00Z'))).toEqual({
      keep: [{ name: old.name, reasons: ['newest'] }],
      remove: [],
    });
    const future = at('2030-01-01T00:00:00Z');
    const written = at('2026-12-06T00:00:00Z');
    const plan = planRetention([future, written, old], parseKeepPolicy('daily=1'), written.atMs, written.name);
    expect(plan.keep.map((kept) => kept.name)).toEqual([future.name, written.name]);
    expect(plan.remove).toEqual([old.name]);
  });
});
