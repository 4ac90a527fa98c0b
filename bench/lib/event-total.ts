/** The number of events in a running store: the sum of its live registries' versions (stream lengths). */
export const eventTotal = async (url: string): Promise<number> => {
  const registries = (await (await fetch(`${url}/api/registries`)).json()) as { version: number }[];
  return registries.reduce((sum, registry) => sum + registry.version, 0);
};
