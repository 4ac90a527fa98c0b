import { isSchemaCommand, type StoreCommand } from './commands.js';
import type { CommandOf, StreamDecider, StreamKind } from './decider.js';
import { registryDecider } from './registry-decider.js';
import { schemaDecider } from './schema-decider.js';

/** Something run with a command's decider (generic over the stream kind, so it never asks which). */
export type WithDecider<R> = <K extends StreamKind>(decider: StreamDecider<K>, command: CommandOf<K>) => R;

/** Runs `run` with the decider of the command's stream kind: the one place a command is routed. */
export const withDecider = <R>(command: StoreCommand, run: WithDecider<R>): R =>
  isSchemaCommand(command) ? run(schemaDecider, command) : run(registryDecider, command);

/** The stream a command is judged on and appends to. */
export const streamOfCommand = (command: StoreCommand): string => withDecider(command, (decider, routed) => decider.streamOf(routed));
