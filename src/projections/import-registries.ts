import type { RegistryContent } from '../domain/registry-bundle.js';
import type { CommandContext } from '../events/command-bus.js';
import type { RegistryStore } from './registry-store.js';

export interface ImportOutcome {
  registry: string;
  /** Events appended (0 when the store already matched). */
  events: number;
  version: number;
}

/**
 * Makes each registry of the store hold what the file says, one converge command (one
 * transaction) per registry; profiles the file does not name are kept.
 */
export const importRegistries = async (
  store: RegistryStore,
  registries: readonly RegistryContent[],
  context: CommandContext,
  onImported?: (registry: RegistryContent) => void,
): Promise<ImportOutcome[]> => {
  const outcomes: ImportOutcome[] = [];
  for (const registry of registries) {
    const { slug, ...target } = registry;
    const { events, rendered } = await store.execute(
      { type: 'converge_registry', registry: slug, target, prune: false },
      context,
    );
    outcomes.push({ registry: slug, events: events.length, version: rendered.registryVersion });
    onImported?.(registry);
  }
  return outcomes;
};
