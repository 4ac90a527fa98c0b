import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MODULE = fileURLToPath(new URL('../../dist/src/cli/tick-object-maps.js', import.meta.url));
const feedbackStates = (printed: string): string[] => [...printed.matchAll(/DefineKeyedOwnPropertyInLiteral (\w+)/g)].map((match) => match[1]!);

/**
 * The states V8 reports for the feedback of nextTick's object literal (the keys it defines), in a
 * fresh node process that queues ticks, runs a full collection while none is queued (as the
 * server's start-up does), and queues more; `keepTickObjectMaps` called first or not.
 */
const literalFeedbackAfterCollection = (keep: boolean): string[] => {
  const script = `
    import { keepTickObjectMaps } from ${JSON.stringify(MODULE)};
    if (${keep}) keepTickObjectMaps();
    const ticks = async () => {
      for (let turn = 0; turn < 20; turn += 1) {
        for (let tick = 0; tick < 50; tick += 1) process.nextTick(() => {});
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await ticks();
    await new Promise((resolve) => setImmediate(resolve));
    globalThis.gc();
    await ticks();
    %DebugPrint(process.nextTick);
  `;
  return feedbackStates(execFileSync(process.execPath, ['--allow-natives-syntax', '--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' }));
};

describe('serve keeps nextTick fast after a full collection', () => {
  it('the object literal of nextTick stays monomorphic (no call into the V8 runtime per tick)', () => {
    expect(literalFeedbackAfterCollection(true)).not.toContain('MEGAMORPHIC');
  });

  // measured on Node 20 (V8 11.3); a later V8 may keep it monomorphic by itself
  it.runIf(process.versions.node.startsWith('20.'))('without it, Node 20 turns it megamorphic (what the test above guards against)', () => {
    expect(literalFeedbackAfterCollection(false)).toContain('MEGAMORPHIC');
    expect(literalFeedbackAfterCollection(true)).toEqual(['MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC', 'MONOMORPHIC']);
  });
});
