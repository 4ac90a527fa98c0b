import type { RegistryStore } from '../../src/use-cases/registry-store.js';
import { type Backend, openTestStore, type TestStore } from './test-store.js';

/** The write context of a test command, named after the actor that sends it. */
export const actorContext = (actor: string) => ({ actor, source: 'test', request_id: actor });

export interface TwoInstances {
  t: TestStore;
  first: RegistryStore;
  second: RegistryStore;
}

/** Two instances (two stores, each with its own cache and connections) on one database. */
export const openTwoInstances = async (backend: Backend): Promise<TwoInstances> => {
  const t = await openTestStore(backend);
  return { t, first: t.store, second: await t.reopen() };
};
