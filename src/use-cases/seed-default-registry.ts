import { isDomainError } from '../domain/errors.js';
import { hasEvents } from '../projections/read-model.js';
import type { RegistryStore } from './registry-store.js';
import { DEFAULT_REGISTRY } from '../events/registry-state.js';

/** An empty store gets registry `default` holding profile `default`, as pinocchio bootstraps. */
export const seedDefaultRegistry = async (store: RegistryStore): Promise<boolean> => {
  if (await hasEvents(store.db)) return false;
  const context = { actor: 'system', source: 'bootstrap', request_id: 'bootstrap' };
  try {
    await store.execute({ type: 'create_registry', registry: DEFAULT_REGISTRY, display_name: 'Default' }, context);
  } catch (error) {
    // another instance starting on the same empty database seeded it first
    if (isDomainError(error) && error.code === 'already_exists') return false;
    throw error;
  }
  await store.execute(
    {
      type: 'create_profile',
      registry: DEFAULT_REGISTRY,
      slug: 'default',
      fields: { display_name: 'Default', runtime: { system_prompt: 'You are an assistant' } },
      set_default: true,
    },
    context,
  );
  return true;
};
