import { generateProfiles, generateRegistries } from './generate-data.js';
import { jsonRequest, sendAll } from './http-client.js';

/** Fills a fresh server through the HTTP API: `default` and `registries` more, `profiles` documents of about 4 KB spread over them. */
export const seedStore = async (url: string, profilesTotal: number, registriesTotal: number) => {
  await jsonRequest(`${url}/api/registries`, 'POST', { slug: 'default' });
  await sendAll(generateRegistries(registriesTotal), 8, (body) => jsonRequest(`${url}/api/registries`, 'POST', body));
  const profiles = generateProfiles(profilesTotal, registriesTotal);
  await sendAll(profiles, 16, (body) => jsonRequest(`${url}/api/chat/profiles`, 'POST', body));
  return profiles;
};
