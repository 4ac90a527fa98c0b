import { describe, expect, it } from 'vitest';
import { inferenceSettingsRuntime } from '../../src/domain/geppetto-inference-settings.js';

const KEY = 'sk-test-geppetto-unit-key';

describe("geppetto's InferenceSettings (as its SQLite store writes them) as step settings", () => {
  it('puts every section under its glazed section and field names', () => {
    const converted = inferenceSettingsRuntime({
      Gemini: { APIVersion: 'v1beta', IncludeThoughts: true, ThinkingBudget: 0, ThinkingLevel: '' },
      Ollama: { NumCtx: 8192, RepeatLastN: 64, TfsZ: 1.5, TopK: 40, Stop: ['</s>'], Seed: null },
      Claude: { TopK: 5, UserID: 'u-1' },
      Embeddings: { Type: 'openai', Engine: 'text-embedding-3-small', Dimensions: 1536, APIKeys: null, BaseURLs: {}, CacheType: '', CacheMaxSize: 0 },
      Rerank: { Type: 'llamacpp', Engine: 'bge', MaxRequestBytes: 2097152, MaxResponseBytes: 0 },
      Client: { Timeout: null, TimeoutSeconds: 30, Organization: 'org-1', UserAgent: null, ProxyURL: 'http://proxy:3128', ProxyFromEnvironment: false },
      Inference: { thinking_budget: 2048, reasoning_effort: 'high', stop: ['x'] },
      API: { APIKeys: { 'gemini-api-key': KEY }, BaseUrls: { 'gemini-base-url': 'https://gemini.example' } },
    });
    expect(converted.step_settings_patch).toEqual({
      // a pointer set to false or 0 is a value; a value field at its zero is "not set", as geppetto's YAML omitempty
      'gemini-chat': {
        'gemini-api-version': 'v1beta',
        'gemini-include-thoughts': true,
        'gemini-thinking-budget': 0,
        'gemini-api-key': KEY,
        'gemini-base-url': 'https://gemini.example',
      },
      'ollama-chat': { 'ollama-num-ctx': 8192, 'ollama-repeat-last-n': 64, 'ollama-tfs-z': 1.5, 'ollama-top-k': 40, 'ollama-stop': ['</s>'] },
      'claude-chat': { 'claude-top-k': 5, 'claude-user-id': 'u-1' },
      embeddings: { 'embeddings-type': 'openai', 'embeddings-engine': 'text-embedding-3-small', 'embeddings-dimensions': 1536 },
      rerank: { 'rerank-type': 'llamacpp', 'rerank-engine': 'bge', 'rerank-max-request-bytes': 2097152 },
      'ai-client': { timeout: 30, organization: 'org-1', 'proxy-url': 'http://proxy:3128', 'proxy-from-environment': false },
      'ai-inference': { 'inference-thinking-budget': 2048, 'inference-reasoning-effort': 'high', 'inference-stop': ['x'] },
    });
    expect(converted.kept).toEqual({});
  });

  it("reads keys in any case, as Go's JSON decoding does, and keeps what no glazed field holds", () => {
    const converted = inferenceSettingsRuntime({
      chat: { engine: 'gpt-4o', stream: true, apikeys: { 'openai-api-key': KEY } },
      api: { allowhttp: { ollama: true } },
      modelinfo: { id: 'gpt-4o' },
    });
    expect(converted).toEqual({
      step_settings_patch: { 'ai-chat': { 'ai-engine': 'gpt-4o' } },
      kept: { chat: { stream: true, api_keys: { 'openai-api-key': KEY } }, api: { allow_http: { ollama: true } }, model_info: { id: 'gpt-4o' } },
    });
  });

  it("Client.Timeout (a Go duration) as whole seconds; TimeoutSeconds wins; an uneven one is refused", () => {
    expect(inferenceSettingsRuntime({ Client: { Timeout: 90_000_000_000 } }).step_settings_patch).toEqual({ 'ai-client': { timeout: 90 } });
    expect(inferenceSettingsRuntime({ Client: { Timeout: 90_000_000_000, TimeoutSeconds: 10 } }).step_settings_patch).toEqual({ 'ai-client': { timeout: 10 } });
    expect(() => inferenceSettingsRuntime({ Client: { Timeout: 1_500_000_000 } })).toThrow(
      'inference_settings.Client.Timeout is not a whole number of seconds (in nanoseconds)',
    );
  });

  it('refuses what geppetto does not have, naming the field and never its value', () => {
    const refusal = (settings: unknown) => {
      try {
        inferenceSettingsRuntime(settings);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refusal({ Chat: { Engine: 'x', SecretSauce: KEY } })).toBe("inference_settings.Chat.SecretSauce is not a field of geppetto's Chat settings");
    expect(refusal({ Vertex: { Region: 'eu' } })).toBe("inference_settings.Vertex is not a field of geppetto's InferenceSettings");
    expect(refusal({ API: { Tokens: { a: KEY } } })).toBe("inference_settings.API.Tokens is not a field of geppetto's APISettings");
    expect(refusal({ OpenAI: KEY })).toBe('inference_settings.OpenAI is not an object');
    expect(refusal(KEY)).toBe('inference_settings is not an object');
  });
});
