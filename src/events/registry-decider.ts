import { decide } from './decide.js';
import type { StreamDecider } from './decider.js';
import { evolve, startFold } from './evolve.js';
import { needs } from './needs.js';
import { touchedProfiles } from './touched-profiles.js';

/** The decider of a registry's stream: `decide.ts`, `evolve.ts` and `needs.ts`; undefined before its first event. */
export const registryDecider: StreamDecider<'registry'> = {
  kind: 'registry',
  streamOf: (command) => command.registry,
  initialState: () => undefined,
  decide: (command, state, inputs) => decide(state, command, inputs),
  evolve: (state, event) => evolve(state, event),
  startFold: (state, stream) => startFold(state, stream),
  needs: (command, state) => needs(command, state),
  touched: (before, event) => touchedProfiles(before, event),
  versionOf: (state) => state?.version ?? 0,
  registriesIn: (stream, state) => new Map([[stream, state]]),
  nearestSnapshot: (snapshots, stream) => snapshots.nearest(stream),
};
