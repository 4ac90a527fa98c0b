/**
 * Which backups a retention policy keeps. Pure: the backups (name and time) and the time now in,
 * the names to keep (with why) and to delete out.
 *
 * The rule: a tier keeps the newest backup of each UTC day (`daily`), ISO week (`weekly`,
 * Monday to Sunday) or calendar month (`monthly`), for either the N most recent such periods that
 * have a backup (`daily=7`), or every such period whose newest backup is less than N days old
 * (`daily=7d`; the ops notes' `7/14/30` form is `daily=7d,weekly=14d,monthly=30d`). A backup
 * kept by any tier is kept; the newest backup is always kept; every other one is deleted.
 */
export type RetentionTier = 'daily' | 'weekly' | 'monthly';

export interface TierRule {
  tier: RetentionTier;
  /** Keep the newest backup of this many of the most recent periods that have one. */
  count?: number;
  /** Or: of every period whose newest backup is younger than this many days. */
  withinDays?: number;
}

export interface DatedBackup {
  name: string;
  atMs: number;
}

export interface RetentionPlan {
  keep: { name: string; reasons: string[] }[];
  remove: string[];
}

const DAY_MS = 86_400_000;
const TIERS: readonly RetentionTier[] = ['daily', 'weekly', 'monthly'];

const keepError = (text: string, why: string): Error =>
  new Error(`--keep "${text}": ${why} (give daily=N,weekly=N,monthly=N with N periods or Nd days, or days per tier as 7/14/30)`);

/** `daily=7,weekly=4,monthly=6`, `daily=7d,...` or the `7/14/30` form of the ops notes. */
export const parseKeepPolicy = (text: string): TierRule[] => {
  const slashes = /^\s*(\d+)\/(\d+)\/(\d+)\s*$/.exec(text);
  if (slashes) {
    const rules = TIERS.map((tier, index) => ({ tier, withinDays: Number(slashes[index + 1]) }));
    if (rules.some((rule) => rule.withinDays < 1)) throw keepError(text, 'every tier keeps at least 1 day');
    return rules;
  }
  const rules: TierRule[] = [];
  for (const part of text.split(',')) {
    const match = /^\s*(daily|weekly|monthly)\s*=\s*(\d+)(d?)\s*$/.exec(part);
    if (!match) throw keepError(text, `cannot read "${part.trim()}"`);
    const tier = match[1] as RetentionTier;
    const n = Number(match[2]);
    if (!Number.isSafeInteger(n) || n < 1) throw keepError(text, `${tier} must keep at least 1`);
    if (rules.some((rule) => rule.tier === tier)) throw keepError(text, `${tier} is given twice`);
    rules.push(match[3] === 'd' ? { tier, withinDays: n } : { tier, count: n });
  }
  return rules;
};

/** The policy as one can give it again. */
export const keepPolicyText = (rules: readonly TierRule[]): string =>
  rules.map((rule) => `${rule.tier}=${rule.count ?? `${rule.withinDays}d`}`).join(',');

const pad = (n: number): string => String(n).padStart(2, '0');

/** The UTC day, ISO week or month a time falls in. */
export const periodOf = (tier: RetentionTier, ms: number): string => {
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  if (tier === 'monthly') return `${year}-${pad(date.getUTCMonth() + 1)}`;
  if (tier === 'daily') return `${year}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  // ISO 8601: a week belongs to the year of its Thursday; week 1 holds the year's first Thursday
  const midnight = Date.UTC(year, date.getUTCMonth(), date.getUTCDate());
  const thursday = new Date(midnight + (3 - ((date.getUTCDay() + 6) % 7)) * DAY_MS);
  const isoYear = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(isoYear, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${isoYear}-W${pad(week)}`;
};

/** `justWritten`: the backup this run made, kept whatever the clock of the others says. */
export const planRetention = (backups: readonly DatedBackup[], rules: readonly TierRule[], nowMs: number, justWritten?: string): RetentionPlan => {
  const newestFirst = [...backups].sort((a, b) => b.atMs - a.atMs || (a.name < b.name ? 1 : -1));
  const reasons = new Map<string, string[]>();
  const keep = (name: string, reason: string) => reasons.set(name, [...(reasons.get(name) ?? []), reason]);
  if (newestFirst.length > 0) keep(newestFirst[0].name, 'newest');
  if (justWritten !== undefined && justWritten !== newestFirst[0]?.name) keep(justWritten, 'just written');
  for (const rule of rules) {
    const periods = new Set<string>();
    for (const backup of newestFirst) {
      const period = periodOf(rule.tier, backup.atMs);
      if (periods.has(period)) continue; // an older backup of a period already kept
      if (rule.count !== undefined && periods.size >= rule.count) break;
      if (rule.withinDays !== undefined && nowMs - backup.atMs >= rule.withinDays * DAY_MS) break;
      periods.add(period);
      keep(backup.name, `${rule.tier} ${period}`);
    }
  }
  return {
    keep: newestFirst.filter((backup) => reasons.has(backup.name)).map((backup) => ({ name: backup.name, reasons: reasons.get(backup.name)! })),
    remove: newestFirst.filter((backup) => !reasons.has(backup.name)).map((backup) => backup.name),
  };
};
