import type { SchemaKind } from '../domain/schema-documents.js';
import type { Command, SchemaCommand } from './commands.js';
import type { DecideContext } from './decide.js';
import type { ProfileUsingSchema } from './decide-schema.js';
import type { DomainEvent, EventBody } from './event-types.js';
import type { CommandNeeds } from './needs.js';
import type { RegistryState } from './registry-state.js';
import type { SchemaState } from './schema-state.js';
import type { SnapshotStore } from './snapshot-store.js';

/**
 * The pure core of a stream kind, in the shape of Emmett's `Decider`: `decide` judges a command
 * on a state (and what `needs` had loaded) and returns the events that happen, `evolve` applies
 * one event, `initialState` is the state before the first event.
 */
export interface Decider<State, C, Event, Inputs> {
  decide(command: C, state: State, inputs: Inputs): EventBody[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

/** The kinds of stream, with their state and command types: one decider record each (`deciders.ts`). */
export interface StreamTypes {
  /** A registry's stream (its id is the registry slug). */
  registry: { state: RegistryState | undefined; command: Command };
  /** The `$schemas` stream. */
  schemas: { state: SchemaState; command: SchemaCommand };
}
export type StreamKind = keyof StreamTypes;
export type StateOf<K extends StreamKind> = StreamTypes[K]['state'];
export type CommandOf<K extends StreamKind> = StreamTypes[K]['command'];

/** What `needs` declares a decision reads besides its stream's own state (`needs.ts` for registries). */
export interface StreamNeeds extends CommandNeeds {
  /** The schema whose stored users (their content from their registries' states) the decision judges. */
  schemaUsers?: { kind: SchemaKind; name: string };
}

/** What the command runner loaded for a decision, as its `needs` asked. */
export interface DecisionInputs extends DecideContext {
  /** The stored live profiles that name `needs().schemaUsers` (empty when not asked). */
  schemaUsers: readonly ProfileUsingSchema[];
}

/** A fold that never changes the state it starts from (`state`: after the events applied so far). */
export interface Fold<State> {
  readonly state: State;
  apply(event: DomainEvent): void;
}

/** A stream kind's decider record: what the one generic command runner needs to run its commands. */
export interface StreamDecider<K extends StreamKind> extends Decider<StateOf<K>, CommandOf<K>, DomainEvent, DecisionInputs> {
  readonly kind: K;
  /** The stream a command is judged on and appends to. */
  streamOf(command: CommandOf<K>): string;
  needs(command: CommandOf<K>, state: StateOf<K>): StreamNeeds;
  /** Many events at once: like `evolve` for each, copying the state once (`startFold` of `evolve.ts`). */
  startFold(state: StateOf<K>, stream: string): Fold<StateOf<K>>;
  /** What an event changes that projections key by (a registry's profiles; nothing for schemas). */
  touched(before: StateOf<K>, event: DomainEvent): string[];
  /** The stream version a state stands at (the expected version of the next append). */
  versionOf(state: StateOf<K>): number;
  /** The registry states a state of this stream is, for looking profiles up (a registry's stream: itself). */
  registriesIn(stream: string, state: StateOf<K>): ReadonlyMap<string, RegistryState | undefined>;
  /** The latest snapshot of the stream, when this kind keeps them (loading folds only the events after it). */
  nearestSnapshot?(snapshots: SnapshotStore, stream: string): Promise<StateOf<K> | undefined>;
}

/** States by stream, per kind (a unit's changes, the cache, a batch's changes). */
export type StreamStates = { [K in StreamKind]: Map<string, StateOf<K>> };

export const emptyStreamStates = (): StreamStates => ({ registry: new Map(), schemas: new Map() });

/** Folds events onto a state with a decider, noting what each touched. */
export const foldTouched = <K extends StreamKind>(decider: StreamDecider<K>, before: StateOf<K>, stream: string, events: readonly DomainEvent[]) => {
  const fold = decider.startFold(before, stream);
  const touchedByEvent: string[][] = [];
  for (const event of events) {
    touchedByEvent.push(decider.touched(fold.state, event));
    fold.apply(event);
  }
  return { after: fold.state, touchedByEvent };
};
