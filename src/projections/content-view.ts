import fastJsonPatch, { type Operation } from 'fast-json-patch';
import type { ProfileContent } from '../domain/profile.js';
import type { RegistryState } from '../events/registry-state.js';
import { registryPayloadJson, storedProfileEntries, storedProfileJson } from './registry-serialization.js';

/**
 * What history, diffs and restores compare (API.md section 3): a document without what the server
 * owns (`metadata`, `is_default`, `fingerprint`). Built from the same serializer as the reads,
 * so a view is exactly a read document minus those fields. An absent profile is `{}`.
 */
export type ContentView = Record<string, unknown>;

const NO_STAMP = { created_at_ms: 0, updated_at_ms: 0, created_by: '', updated_by: '', source: '' };

const withoutMetadata = (stored: Record<string, unknown>): ContentView => {
  const { metadata: _metadata, ...rest } = stored;
  return rest;
};

export const profileContentView = (registry: string, content: ProfileContent | undefined): ContentView => {
  if (!content) return {};
  const stored = JSON.parse(storedProfileJson({ content, version: 0, stamp: NO_STAMP })) as Record<string, unknown>;
  return { registry, ...withoutMetadata(stored) };
};

/**
 * profileContentView of content read from an event, without its copy: an event's data was parsed
 * from its JSON, so the values are JSON already and the view holds them as they are (nothing
 * changes a view; an RFC 6902 compare copies what it puts in an operation).
 */
export const eventContentView = (registry: string, content: ProfileContent | undefined): ContentView => {
  if (!content) return {};
  const view: ContentView = { registry };
  for (const [key, value] of storedProfileEntries({ content, version: 0, stamp: NO_STAMP })) {
    if (key !== 'metadata' && value !== undefined) view[key] = value;
  }
  return view;
};

export const registryContentView = (state: RegistryState | undefined): ContentView => {
  if (!state?.live) return {};
  const payload = withoutMetadata(JSON.parse(registryPayloadJson(state)) as Record<string, unknown>);
  const profiles = payload.profiles as Record<string, Record<string, unknown>>;
  for (const slug of Object.keys(profiles)) profiles[slug] = withoutMetadata(profiles[slug]);
  return payload;
};

/** RFC 6902 operations that turn `from` into `to`. */
export const changesBetween = (from: ContentView, to: ContentView): Operation[] => fastJsonPatch.compare(from, to);
