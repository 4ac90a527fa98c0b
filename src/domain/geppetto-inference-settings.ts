/**
 * geppetto's engine profiles (`inference_settings`, pkg/steps/ai/settings InferenceSettings) as
 * this registry's runtime: each value that a glazed field holds goes to `step_settings_patch`
 * under that field's section and name (`Chat.Engine` → `ai-chat: {ai-engine}`); the values geppetto
 * keeps without a glazed field (model info, the allow-lists, API keys of providers no section
 * declares) go, in geppetto's YAML names, to the extension `geppetto.inference_settings@v1`.
 *
 * geppetto's SQLite store writes the payload with Go's `json.Marshal`, and these structs carry no
 * JSON tags (but `Inference` and `ModelInfo`), so its keys are Go's field names; Go reads them in
 * any case, and so does this. As geppetto's own stack merge (YAML with `omitempty`) does, a value
 * field at its zero value and a null pointer are "not set". A key geppetto's structs do not have
 * is refused: nothing is dropped silently.
 */

/** The extension that keeps what no glazed field holds. */
export const GEPPETTO_SETTINGS_EXTENSION = 'geppetto.inference_settings@v1';

type Patch = Record<string, Record<string, unknown>>;

/**
 * How one Go field is read: `ptr` (a pointer, a slice or a map: set unless null or empty) or
 * `value` (set unless its zero value); `to` is the glazed field of the struct's section, or, for a
 * field without one, `keep` names it in geppetto's YAML (kept in the extension).
 */
type Field = { kind: 'ptr' | 'value'; to: string } | { kind: 'ptr' | 'value'; keep: string };

/** A section of InferenceSettings: its glazed section (if any), its YAML name, its fields by Go JSON name. */
interface Section {
  glazed?: string;
  yaml: string;
  fields: Record<string, Field>;
}

const ptr = (to: string): Field => ({ kind: 'ptr', to });
const value = (to: string): Field => ({ kind: 'value', to });
const kept = (kind: 'ptr' | 'value', keep: string): Field => ({ kind, keep });

/** Go JSON name → section: the struct tree of InferenceSettings as geppetto has it (July 2026). */
const SECTIONS: Record<string, Section> = {
  Chat: {
    glazed: 'ai-chat',
    yaml: 'chat',
    fields: {
      Engine: ptr('ai-engine'),
      ApiType: ptr('ai-api-type'),
      MaxResponseTokens: ptr('ai-max-response-tokens'),
      TopP: ptr('ai-top-p'),
      Temperature: ptr('ai-temperature'),
      Stop: ptr('ai-stop'),
      APIKeys: kept('ptr', 'api_keys'),
      Stream: kept('value', 'stream'),
      CacheType: value('ai-cache-type'),
      CacheMaxSize: value('ai-cache-max-size'),
      CacheMaxEntries: value('ai-cache-max-entries'),
      CacheDirectory: value('ai-cache-directory'),
      StructuredOutputMode: value('ai-structured-output-mode'),
      StructuredOutputName: value('ai-structured-output-name'),
      StructuredOutputDescription: value('ai-structured-output-description'),
      StructuredOutputSchema: value('ai-structured-output-schema'),
      StructuredOutputStrict: ptr('ai-structured-output-strict'),
      StructuredOutputRequireValid: value('ai-structured-output-require-valid'),
    },
  },
  OpenAI: {
    glazed: 'openai-chat',
    yaml: 'openai',
    fields: {
      N: ptr('openai-n'),
      PresencePenalty: ptr('openai-presence-penalty'),
      FrequencyPenalty: ptr('openai-frequency-penalty'),
      LogitBias: ptr('openai-logit-bias'),
      ReasoningEffort: ptr('openai-reasoning-effort'),
      ThinkingType: ptr('openai-thinking-type'),
      ChatReasoningEffort: ptr('openai-chat-reasoning-effort'),
      ParallelToolCalls: ptr('openai-parallel-tool-calls'),
      ReasoningSummary: ptr('openai-reasoning-summary'),
      IncludeReasoningEncrypted: ptr('openai-include-reasoning-encrypted'),
      StreamIncludeUsage: ptr('openai-stream-include-usage'),
    },
  },
  Client: {
    glazed: 'ai-client',
    yaml: 'client',
    fields: {
      // Timeout (a Go duration, nanoseconds) is read beside TimeoutSeconds: see clientTimeout
      TimeoutSeconds: ptr('timeout'),
      Organization: ptr('organization'),
      UserAgent: ptr('user-agent'),
      ProxyURL: ptr('proxy-url'),
      ProxyFromEnvironment: ptr('proxy-from-environment'),
    },
  },
  Claude: { glazed: 'claude-chat', yaml: 'claude', fields: { TopK: ptr('claude-top-k'), UserID: ptr('claude-user-id') } },
  Gemini: {
    glazed: 'gemini-chat',
    yaml: 'gemini',
    fields: {
      APIVersion: value('gemini-api-version'),
      IncludeThoughts: ptr('gemini-include-thoughts'),
      ThinkingBudget: ptr('gemini-thinking-budget'),
      ThinkingLevel: value('gemini-thinking-level'),
    },
  },
  Ollama: {
    glazed: 'ollama-chat',
    yaml: 'ollama',
    fields: {
      Mirostat: ptr('ollama-mirostat'),
      MirostatEta: ptr('ollama-mirostat-eta'),
      MirostatTau: ptr('ollama-mirostat-tau'),
      NumCtx: ptr('ollama-num-ctx'),
      NumGqa: ptr('ollama-num-gqa'),
      NumGpu: ptr('ollama-num-gpu'),
      NumThread: ptr('ollama-num-thread'),
      RepeatLastN: ptr('ollama-repeat-last-n'),
      RepeatPenalty: ptr('ollama-repeat-penalty'),
      Temperature: ptr('ollama-temperature'),
      Seed: ptr('ollama-seed'),
      Stop: ptr('ollama-stop'),
      TfsZ: ptr('ollama-tfs-z'),
      NumPredict: ptr('ollama-num-predict'),
      TopK: ptr('ollama-top-k'),
      TopP: ptr('ollama-top-p'),
    },
  },
  Embeddings: {
    glazed: 'embeddings',
    yaml: 'embeddings',
    fields: {
      Type: value('embeddings-type'),
      Engine: value('embeddings-engine'),
      Dimensions: value('embeddings-dimensions'),
      APIKeys: kept('ptr', 'api_keys'),
      BaseURLs: kept('ptr', 'base_urls'),
      CacheType: value('embeddings-cache-type'),
      CacheMaxSize: value('embeddings-cache-max-size'),
      CacheMaxEntries: value('embeddings-cache-max-entries'),
      CacheDirectory: value('embeddings-cache-directory'),
    },
  },
  Rerank: {
    glazed: 'rerank',
    yaml: 'rerank',
    fields: {
      Type: value('rerank-type'),
      Engine: value('rerank-engine'),
      MaxRequestBytes: value('rerank-max-request-bytes'),
      MaxResponseBytes: value('rerank-max-response-bytes'),
    },
  },
  // engine.InferenceConfig has JSON tags
  Inference: {
    glazed: 'ai-inference',
    yaml: 'inference',
    fields: {
      thinking_budget: ptr('inference-thinking-budget'),
      reasoning_effort: ptr('inference-reasoning-effort'),
      thinking_type: ptr('inference-thinking-type'),
      reasoning_summary: ptr('inference-reasoning-summary'),
      temperature: ptr('inference-temperature'),
      top_p: ptr('inference-top-p'),
      max_response_tokens: ptr('inference-max-response-tokens'),
      stop: ptr('inference-stop'),
      seed: ptr('inference-seed'),
    },
  },
};

/**
 * `API` (APISettings): its maps are keyed by glazed field names (`openai-api-key`,
 * `claude-base-url`), which geppetto fills from these sections, the only ones that declare them.
 */
const API_KEY_SECTIONS: Record<string, string> = {
  'openai-api-key': 'openai-chat',
  'openai-base-url': 'openai-chat',
  'claude-api-key': 'claude-chat',
  'claude-base-url': 'claude-chat',
  'gemini-api-key': 'gemini-chat',
  'gemini-base-url': 'gemini-chat',
};
const API_FIELDS: Record<string, string> = { APIKeys: 'api_keys', BaseUrls: 'base_urls', AllowHTTP: 'allow_http', AllowLocalNetworks: 'allow_local_networks' };

const isObject = (input: unknown): input is Record<string, unknown> =>
  typeof input === 'object' && input !== null && !Array.isArray(input);

const isEmpty = (input: unknown): boolean =>
  input === null || input === undefined || (Array.isArray(input) && input.length === 0) || (isObject(input) && Object.keys(input).length === 0);

const isZero = (input: unknown): boolean => isEmpty(input) || input === '' || input === 0 || input === false;

/** Go's JSON decoding: the field named exactly, else the one that matches ignoring case. */
const goField = <T>(fields: Record<string, T>, key: string): [string, T] | undefined => {
  if (Object.hasOwn(fields, key)) return [key, fields[key]];
  const lower = key.toLowerCase();
  const found = Object.keys(fields).find((name) => name.toLowerCase() === lower);
  return found === undefined ? undefined : [found, fields[found]];
};

/** A refusal naming the field (`inference_settings.Chat.Foo`), never its value (it may be a key). */
export class InferenceSettingsError extends Error {}

function refuse(path: string, why: string): never {
  throw new InferenceSettingsError(`inference_settings${path === '' ? '' : `.${path}`} ${why}`);
}

/** What InferenceSettings becomes here. */
export interface InferenceSettingsRuntime {
  step_settings_patch: Patch;
  /** geppetto's values no glazed field holds, in geppetto's YAML names (empty when none). */
  kept: Record<string, Record<string, unknown>>;
}

const setIn = (target: Record<string, Record<string, unknown>>, section: string, field: string, input: unknown) => {
  target[section] ??= {};
  target[section][field] = input;
};

/** `Client.Timeout` is a Go duration (nanoseconds): the glazed `timeout` is whole seconds, and `TimeoutSeconds` wins. */
const clientTimeout = (path: string, input: unknown, out: InferenceSettingsRuntime, hasSeconds: boolean) => {
  if (isEmpty(input) || hasSeconds) return;
  if (typeof input !== 'number' || !Number.isInteger(input / 1e9)) refuse(path, 'is not a whole number of seconds (in nanoseconds)');
  setIn(out.step_settings_patch, 'ai-client', 'timeout', (input as number) / 1e9);
};

const readApi = (input: Record<string, unknown>, out: InferenceSettingsRuntime) => {
  for (const [key, entry] of Object.entries(input)) {
    const field = goField(API_FIELDS, key);
    if (field === undefined) refuse(`API.${key}`, 'is not a field of geppetto\'s APISettings');
    const [name, yaml] = field;
    if (isEmpty(entry)) continue;
    if (!isObject(entry)) refuse(`API.${name}`, 'is not an object');
    for (const [mapKey, mapValue] of Object.entries(entry)) {
      const section = name === 'APIKeys' || name === 'BaseUrls' ? API_KEY_SECTIONS[mapKey] : undefined;
      if (section !== undefined) setIn(out.step_settings_patch, section, mapKey, mapValue);
      else {
        out.kept.api ??= {};
        const map = (out.kept.api[yaml] ??= {}) as Record<string, unknown>;
        map[mapKey] = mapValue;
      }
    }
  }
};

const readSection = (goName: string, section: Section, input: Record<string, unknown>, out: InferenceSettingsRuntime) => {
  const hasSeconds = goName === 'Client' && Object.keys(input).some((key) => key.toLowerCase() === 'timeoutseconds' && !isEmpty(input[key]));
  for (const [key, entry] of Object.entries(input)) {
    if (goName === 'Client' && key.toLowerCase() === 'timeout') {
      clientTimeout(`${goName}.${key}`, entry, out, hasSeconds);
      continue;
    }
    const found = goField(section.fields, key);
    if (found === undefined) refuse(`${goName}.${key}`, `is not a field of geppetto's ${goName} settings`);
    const [, field] = found;
    if (field.kind === 'ptr' ? isEmpty(entry) : isZero(entry)) continue;
    if ('to' in field) setIn(out.step_settings_patch, section.glazed!, field.to, entry);
    else setIn(out.kept, section.yaml, field.keep, entry);
  }
};

/**
 * InferenceSettings (as geppetto's SQLite store writes it) as a step settings patch and the kept
 * rest; refuses, naming the field, what geppetto's structs do not have.
 */
export const inferenceSettingsRuntime = (settings: unknown): InferenceSettingsRuntime => {
  const out: InferenceSettingsRuntime = { step_settings_patch: {}, kept: {} };
  if (settings === null) return out;
  if (!isObject(settings)) refuse('', 'is not an object');
  for (const [key, entry] of Object.entries(settings)) {
    if (key.toLowerCase() === 'api') {
      if (isEmpty(entry)) continue;
      if (!isObject(entry)) refuse(key, 'is not an object');
      readApi(entry, out);
      continue;
    }
    if (key.toLowerCase() === 'modelinfo') {
      if (isEmpty(entry)) continue;
      if (!isObject(entry)) refuse(key, 'is not an object');
      out.kept.model_info = entry;
      continue;
    }
    const found = goField(SECTIONS, key);
    if (found === undefined) refuse(key, "is not a field of geppetto's InferenceSettings");
    const [goName, section] = found;
    if (isEmpty(entry)) continue;
    if (!isObject(entry)) refuse(goName, 'is not an object');
    readSection(goName, section, entry, out);
  }
  return out;
};
