import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { writeBulkHistory } from './bulk-history.js';
import { measureRebuild } from './rebuild-rate.js';
import type { Scenario } from './report.js';
import { startRegistryServer } from './spawn-server.js';

const CHROMIUM = process.env.PROFILE_REGISTRY_CHROMIUM ?? '/usr/bin/chromium';

interface ConsoleScaleOptions {
  workDir: string;
  /** Profiles of the one registry (5,000), and its events (20,000: creations, then edits). */
  profiles: number;
  events: number;
  /** Rounds of each timed step (the median is reported). */
  rounds: number;
  log: (message: string) => void;
}

export interface ConsoleScaleFigures {
  profiles: number;
  events: number;
  firstPageMs: number[];
  keystrokeFrameMs: number[];
  keystrokeFilterMs: number[];
  scrollFrames: number;
  scrollMedianFrameMs: number;
  scrollLongFrames: number;
  scrollWorstFrameMs: number;
  liveChangeMs: number[];
  /** From the PATCH's answer to the row showing it: the console's part of a live change. */
  liveChangeAfterAnswerMs: number[];
  liveChangeListRequests: number;
  historyAllEventsMs: number;
  /** When the last page of events had arrived (the rest of historyAllEventsMs is drawing). */
  historyLastPageMs: number;
  /** Bytes of the event pages the history page read. */
  historyBytes: number;
  historyRows: number;
  historyFirstVersion: number | null;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)]!;
};
const ms = (value: number) => `${Math.round(value)}`;

/** Polls an expression in the page (page.waitForFunction would eval it, which the console's CSP refuses). */
const waitInPage = async (page: Page, expression: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await page.evaluate(expression))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** Milliseconds since the page's navigation started, read in the page. */
const pageNow = (page: Page) => page.evaluate('performance.now()') as Promise<number>;

/**
 * The console on a registry of `profiles` profiles and `events` events, in Debian's Chromium
 * (playwright-core): the store is written through the write path's own functions (no HTTP
 * calls), rebuilt, then served; what is timed is what a user waits for in the browser.
 */
export const measureConsoleScale = async (options: ConsoleScaleOptions): Promise<{ figures: ConsoleScaleFigures; scenarios: Scenario[] } | { skipped: string }> => {
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  const { log } = options;
  const dbPath = join(options.workDir, 'console-scale.db');
  log(`console: writing ${options.profiles.toLocaleString('en-US')} profiles, ${options.events.toLocaleString('en-US')} events`);
  const written = await writeBulkHistory({ dbPath, profiles: options.profiles, registries: 1, events: options.events, log });
  await measureRebuild(dbPath);
  const server = await startRegistryServer(dbPath);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const listUrl = `${server.url}/console/#/r/default/profiles`;
    // no tokens file: the server is on loopback without auth, and the console logs in with no token
    await page.goto(`${server.url}/console/`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Registries' }).waitFor();
    const firstSlug = [...written.defaultSlugs].sort()[0]!;
    const firstRow = () => page.getByRole('link', { name: firstSlug, exact: true });

    log('console: first page of the list');
    const firstPageMs: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      await page.goto('about:blank');
      await page.goto(listUrl);
      await firstRow().waitFor();
      firstPageMs.push(await pageNow(page)); // from the start of the navigation: script, session, first page
    }

    log('console: a keystroke in the search');
    const search = page.getByLabel('Search profiles by slug, name, tag, model or description');
    const status = page.locator('p[role="status"]').filter({ hasText: /profiles?( matching|$|\+)/ });
    const keystrokeFrameMs: number[] = [];
    const keystrokeFilterMs: number[] = [];
    const probes = ['c', 'o', 'd', 'e', 'r'];
    for (let round = 0; round < options.rounds; round += 1) {
      await search.fill('');
      await status.filter({ hasNotText: 'matching' }).waitFor();
      let typed = '';
      for (const key of probes) {
        typed += key;
        // the key's time, the next frame after it, and when the list shows the new search
        await page.evaluate(`(() => {
          const input = document.getElementById('profile-search');
          window.__probe = { key: 0, frame: 0, shown: 0 };
          input.addEventListener('keydown', () => {
            window.__probe.key = performance.now();
            requestAnimationFrame(() => setTimeout(() => { window.__probe.frame = performance.now(); }, 0));
          }, { once: true });
          const shown = () => [...document.querySelectorAll('p[role="status"]')].some((each) => each.textContent.includes('matching “${typed}”'));
          const observer = new MutationObserver(() => {
            if (shown()) { window.__probe.shown = performance.now(); observer.disconnect(); }
          });
          observer.observe(document.querySelector('main'), { childList: true, characterData: true, subtree: true });
        })()`);
        await search.press(key);
        await waitInPage(page, 'window.__probe.shown > 0 && window.__probe.frame > 0');
        const probe = (await page.evaluate('window.__probe')) as { key: number; frame: number; shown: number };
        keystrokeFrameMs.push(probe.frame - probe.key);
        keystrokeFilterMs.push(probe.shown - probe.key);
      }
    }
    await search.fill('');
    await status.filter({ hasNotText: 'matching' }).waitFor();

    log('console: scrolling');
    const frames = (await page.evaluate(`new Promise((resolve) => {
      const scroller = document.querySelector('.scroller');
      const deltas = [];
      let last = performance.now();
      const started = last;
      const step = (now) => {
        deltas.push(now - last);
        last = now;
        scroller.scrollTop += 400;
        if (now - started < 4000) requestAnimationFrame(step);
        else resolve(deltas.slice(1));
      };
      requestAnimationFrame(step);
    })`)) as number[];

    log('console: a live change from the feed');
    await page.goto('about:blank');
    await page.goto(listUrl);
    await firstRow().waitFor();
    await page.getByRole('status').filter({ hasText: 'live updates on' }).waitFor();
    const lists: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/chat\/profiles\?/.test(request.url())) lists.push(request.url());
    });
    const liveChangeMs: number[] = [];
    const liveChangeAfterAnswerMs: number[] = [];
    for (let round = 0; round < options.rounds; round += 1) {
      const name = `Renamed live ${round}`;
      const sent = performance.now();
      const answer = await fetch(`${server.url}/api/chat/profiles/${firstSlug}?registry=default`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ registry: 'default', display_name: name }),
      });
      if (answer.status !== 200) throw new Error(`PATCH answered ${answer.status}`);
      const answered = performance.now();
      await page.getByRole('cell', { name, exact: true }).waitFor({ timeout: 10_000 });
      liveChangeMs.push(performance.now() - sent);
      liveChangeAfterAnswerMs.push(performance.now() - answered);
    }

    log('console: the registry history to its last event');
    await page.goto('about:blank');
    let historyLastPageMs = 0;
    let historyBytes = 0;
    page.on('response', (response) => {
      if (/\/api\/registries\/default\/events\?/.test(response.url())) {
        void response.body().then(async (body) => {
          historyBytes += body.length;
          historyLastPageMs = Math.max(historyLastPageMs, await pageNow(page).catch(() => 0));
        }, () => undefined);
      }
    });
    await page.goto(`${server.url}/console/#/r/default/history`);
    const timeline = page.locator('table.timeline tbody tr');
    await waitInPage(page, `document.querySelectorAll('table.timeline tbody tr').length >= ${written.events}`, 120_000);
    const historyAllEventsMs = await pageNow(page);
    const historyRows = await timeline.count();
    const lastRow = timeline.last();
    await lastRow.scrollIntoViewIfNeeded();
    const firstVersionText = await lastRow.locator('td').first().textContent();
    await context.close();

    const longFrames = frames.filter((delta) => delta > 50);
    const figures: ConsoleScaleFigures = {
      profiles: options.profiles,
      events: written.events,
      firstPageMs,
      keystrokeFrameMs,
      keystrokeFilterMs,
      scrollFrames: frames.length,
      scrollMedianFrameMs: median(frames),
      scrollLongFrames: longFrames.length,
      scrollWorstFrameMs: Math.max(...frames),
      liveChangeMs,
      liveChangeAfterAnswerMs,
      liveChangeListRequests: lists.length,
      historyAllEventsMs,
      historyLastPageMs,
      historyBytes,
      historyRows,
      historyFirstVersion: firstVersionText === null ? null : Number(firstVersionText),
    };
    const label = `${options.profiles.toLocaleString('en-US')} profiles`;
    const scenarios: Scenario[] = [
      {
        name: `console: first page of a registry of ${label} rendered (cold load, median of ${options.rounds})`,
        figures: { 'median ms': ms(median(firstPageMs)), 'first (cold cache) ms': ms(firstPageMs[0]!) },
        goal: { text: '≤ 1 s', met: () => median(firstPageMs) <= 1000 },
      },
      {
        name: `console: a keystroke in the search of ${label} (median of ${keystrokeFilterMs.length})`,
        figures: { 'to next frame ms': ms(median(keystrokeFrameMs)), 'to filtered list ms': ms(median(keystrokeFilterMs)), 'worst ms': ms(Math.max(...keystrokeFilterMs)) },
        goal: { text: 'filtered list ≤ 150 ms', met: () => median(keystrokeFilterMs) <= 150 },
      },
      {
        name: `console: scrolling ${label} for 4 s (400 px a frame)`,
        figures: { frames: `${frames.length}`, 'median frame ms': median(frames).toFixed(1), 'frames > 50 ms': `${longFrames.length}`, 'worst ms': ms(Math.max(...frames)) },
        goal: { text: 'no frame > 50 ms', met: () => longFrames.length === 0 },
      },
      {
        name: `console: a change by the API shown in the list from the feed (median of ${options.rounds})`,
        figures: { 'PATCH sent to row shown ms': ms(median(liveChangeMs)), 'answer to row shown ms': ms(median(liveChangeAfterAnswerMs)), 'first ms': ms(liveChangeMs[0]!), 'list requests': `${lists.length}` },
        goal: { text: 'no list refetch', met: () => lists.length === 0 },
      },
      {
        name: `console: registry history of ${written.events.toLocaleString('en-US')} events shown to its first event`,
        figures: { 'all shown ms': ms(historyAllEventsMs), 'last page arrived ms': ms(historyLastPageMs), 'MB read': (historyBytes / 1024 ** 2).toFixed(0), rows: historyRows.toLocaleString('en-US') },
        goal: { text: 'every event shown', met: () => historyRows >= written.events && figures.historyFirstVersion === 1 },
      },
    ];
    return { figures, scenarios };
  } finally {
    await browser.close();
    await server.stop();
  }
};
