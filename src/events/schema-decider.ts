import { decideSchema } from './decide-schema.js';
import type { Fold, StreamDecider } from './decider.js';
import type { DomainEvent } from './event-types.js';
import { emptySchemaState, evolveSchemas, SCHEMA_STREAM, type SchemaState } from './schema-state.js';

const schemaFold = (from: SchemaState): Fold<SchemaState> => {
  let state = from;
  return {
    get state() {
      return state;
    },
    apply: (event: DomainEvent) => {
      state = evolveSchemas(state, event);
    },
  };
};

/**
 * The decider of the `$schemas` stream: `decide-schema.ts` judges a schema change against the
 * registered schemas and the stored profiles that name it (which its `needs` asks for).
 */
export const schemaDecider: StreamDecider<'schemas'> = {
  kind: 'schemas',
  streamOf: () => SCHEMA_STREAM,
  initialState: emptySchemaState,
  decide: (command, state, inputs) => decideSchema(state, command, inputs.schemaUsers),
  evolve: evolveSchemas,
  startFold: schemaFold,
  needs: (command) => ({ registries: [], dependentsOf: [], schemas: false, schemaUsers: { kind: command.kind, name: command.name } }),
  touched: () => [],
  versionOf: (state) => state.version,
  registriesIn: () => new Map(),
};
