import { createHash } from 'node:crypto';

/**
 * Seeded, deterministic benchmark data: registries, profile bodies and PATCH requests.
 * The same arguments always give the same values (profile i depends only on seed, size, i and
 * the registry count, so a smaller count gives a prefix of a larger one). Everything is invented
 * and no body holds an API key.
 */

export type BodySize = 'small' | 'medium' | 'large';

export interface GeneratorOptions {
  seed?: string;
  size?: BodySize;
}

export interface RegistryBody {
  slug: string;
  display_name: string;
  description: string;
}

export interface ProfileBody {
  registry: string;
  slug: string;
  set_default?: boolean;
  [field: string]: unknown;
}

export interface PatchRequest {
  slug: string;
  registry: string;
  body: Record<string, unknown>;
}

/** A small PRNG (mulberry32) seeded from SHA-256 of the given parts. */
const randomFrom = (...parts: (string | number)[]) => {
  let state = createHash('sha256').update(parts.join('\u0000')).digest().readUInt32LE(0);
  const next = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (low: number, high: number) => low + Math.floor(next() * (high - low + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const some = <T>(items: readonly T[], count: number): T[] => {
    const pool = [...items];
    return Array.from({ length: Math.min(count, pool.length) }, () => pool.splice(Math.floor(next() * pool.length), 1)[0] as T);
  };
  return { next, int, pick, some, chance: (p: number) => next() < p };
};
type Random = ReturnType<typeof randomFrom>;

const TEAMS = [
  'lab-ops', 'bioinformatics', 'clinical', 'procurement', 'facilities', 'it-desk', 'quality', 'regulatory',
  'field-sales', 'hr-services', 'imaging', 'genomics', 'biobank', 'logistics', 'training', 'web', 'finance',
  'security', 'legal', 'press', 'grants',
];

/** `default` first, then team registries; past the list the names repeat with a round number. */
export const registrySlugs = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => {
    if (index === 0) return 'default';
    const team = TEAMS[(index - 1) % TEAMS.length]!;
    const round = Math.floor((index - 1) / TEAMS.length);
    return round === 0 ? team : `${team}-${round + 1}`;
  });

/** POST /api/registries bodies of the registries besides `default` (which the caller creates). */
export const generateRegistries = (count: number): RegistryBody[] =>
  registrySlugs(count).slice(1).map((slug) => ({
    slug,
    display_name: slug.split('-').map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' '),
    description: `Chat profiles of the ${slug} team`,
  }));

const ROLES = ['triage', 'summarizer', 'coder', 'reviewer', 'planner', 'translator', 'tutor', 'sql_helper', 'qc', 'writer', 'scheduler', 'intake'];
const VARIANTS = ['v2', 'eu', 'us', 'lite', 'pro', 'night', 'beta'];

const ENGINES: Record<string, { section: string; engines: string[]; extra: (random: Random) => Record<string, unknown> }> = {
  openai: { section: 'openai-chat', engines: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini'], extra: (r) => ({ 'openai-parallel-tool-calls': r.chance(0.5) }) },
  claude: { section: 'claude-chat', engines: ['claude-sonnet-4-20250514', 'claude-3-5-haiku-latest'], extra: (r) => ({ 'claude-top-p': r.pick([0.8, 0.9, 1]) }) },
  gemini: { section: 'gemini-chat', engines: ['gemini-1.5-pro', 'gemini-2.0-flash'], extra: () => ({ 'gemini-base-url': 'https://generativelanguage.googleapis.com/v1beta' }) },
  openrouter: { section: 'openai-chat', engines: ['meta-llama/llama-3.1-70b-instruct', 'mistralai/mistral-large'], extra: () => ({ 'openai-base-url': 'https://openrouter.ai/api/v1' }) },
  ollama: { section: 'openai-chat', engines: ['llama3.2', 'qwen2.5:14b', 'phi4'], extra: () => ({ 'openai-base-url': 'http://localhost:11434/v1' }) },
};

const SENTENCES = [
  'Answer in the language of the question and keep the terms the user chose.',
  'State the period and the source of every figure you quote.',
  'When a request is ambiguous, ask one clarifying question before you start.',
  'Prefer short paragraphs; use a table when you compare more than two options.',
  'Never invent identifiers, sample numbers or ticket numbers.',
  'Summarise long documents section by section and keep their headings.',
  'Flag anything that looks like personal data and leave it out of summaries.',
  'Show the query or the command you would run before its result.',
  'If a tool fails twice, stop and report what you tried.',
  'Dates are ISO 8601, amounts keep their currency and two decimals.',
  'Quote at most two sentences from any one source and link it.',
  'End with the next step the user should take, in one line.',
  'Escalate safety issues to a person at once, whatever else you are doing.',
  'Keep a running list of open questions at the end of long answers.',
];

const TOOLS = [
  'web_search', 'fetch_url', 'calculator', 'unit_convert', 'sql__query', 'sql__describe_table', 'tickets__search', 'tickets__comment',
  'docs__search', 'docs__read', 'sheets__read_range', 'sheets__write_range', 'calendar__find_slot', 'mail__draft', 'lims__lookup_sample',
  'lims__list_runs', 'stats__fit_curve', 'plot__scatter', 'git__diff', 'shell__run', 'kb__search', 'erp__run_report', 'chat__post_message',
  'translate__text', 'ocr__extract',
];

const MIDDLEWARES = ['agentmode', 'logging', 'redaction', 'tool-result-reorder', 'memory', 'sqlite'];

const middlewareConfig = (name: string, random: Random): unknown => {
  switch (name) {
    case 'agentmode':
      return { default_mode: random.pick(['chat', 'analyse', 'draft', 'review']) };
    case 'logging':
      return { level: random.pick(['debug', 'info', 'warn']), sink: random.pick(['stdout', 'audit']) };
    case 'redaction':
      return { categories: random.some(['EMAIL', 'PHONE', 'IBAN', 'PATIENT_ID', 'STAFF_ID'], random.int(1, 4)), replacement: '[withheld]' };
    case 'memory':
      return { retention_days: random.pick([7, 30, 90, 365]), auto_summarize: random.chance(0.5) };
    case 'sqlite':
      return { dsn: `file:./data/${random.pick(['notes', 'runbooks', 'catalog'])}.db?mode=ro`, max_rows: random.pick([50, 200, 1000]) };
    default:
      return undefined;
  }
};

/** How much of each part a body holds: prompt sentences, tools, middlewares, extension entries. */
const SHAPES: Record<BodySize, { sentences: [number, number]; tools: [number, number]; middlewares: [number, number]; entries: [number, number] }> = {
  small: { sentences: [2, 6], tools: [0, 4], middlewares: [0, 2], entries: [1, 3] },
  medium: { sentences: [14, 40], tools: [2, 12], middlewares: [1, 5], entries: [6, 20] },
  large: { sentences: [60, 130], tools: [8, 20], middlewares: [3, 6], entries: [35, 70] },
};

const promptOf = (random: Random, sentences: number, role: string) =>
  [`You are the ${role.replace('_', ' ')} of the team.`, ...Array.from({ length: sentences }, () => random.pick(SENTENCES))].join('\n');

const profileSlug = (index: number, random: Random) => {
  const role = random.pick(ROLES);
  const separator = random.pick(['-', '-', '.', '_']);
  return `${role}${separator}${random.pick(VARIANTS)}-${String(index).padStart(5, '0')}`;
};

/** Profile body number `index` of a set spread round-robin over `registries` registries. */
export const profileBody = (index: number, registries: number, options: GeneratorOptions = {}): ProfileBody => {
  const size = options.size ?? 'medium';
  const shape = SHAPES[size];
  const random = randomFrom(options.seed ?? 'bench', size, registries, index);
  const registry = registrySlugs(registries)[index % registries]!;
  const slug = profileSlug(index, random);
  const role = slug.split(/[-._]/)[0]!;
  const provider = random.pick(Object.keys(ENGINES));
  const engine = ENGINES[provider]!;
  const usedIds = new Set<string>();
  const middlewares = Array.from({ length: random.int(...shape.middlewares) }, (_, position) => {
    const name = random.pick(MIDDLEWARES);
    const id = usedIds.has(name) ? `${name}-${position}` : name;
    usedIds.add(id);
    const config = middlewareConfig(name, random);
    return { name, id, enabled: random.chance(0.85), ...(config === undefined ? {} : { config }) };
  });
  const entries = random.int(...shape.entries);
  const body: ProfileBody = {
    registry,
    slug,
    display_name: `${role.replace('_', ' ')} (${registry})`,
    description: `Generated ${size} profile ${index} for the ${registry} registry`,
    runtime: {
      step_settings_patch: {
        'ai-chat': {
          'ai-api-type': provider === 'claude' || provider === 'gemini' ? provider : 'openai',
          'ai-engine': random.pick(engine.engines),
          'ai-temperature': random.pick([0, 0.1, 0.2, 0.3, 0.5, 0.7]),
          'ai-max-response-tokens': random.pick([512, 1024, 2048, 4096, 8192]),
        },
        [engine.section]: engine.extra(random),
        'ai-client': { timeout: random.pick([30, 60, 120, 300]) },
      },
      system_prompt: promptOf(random, random.int(...shape.sentences), role),
      middlewares,
      tools: random.some(TOOLS, random.int(...shape.tools)),
    },
    policy: { allow_overrides: random.chance(0.8), allowed_override_keys: [], denied_override_keys: random.chance(0.3) ? ['middlewares'] : [], read_only: false },
    metadata: { tags: random.some(['generated', role, registry, provider, size, 'eu', 'internal'], random.int(1, 4)) },
    extensions: {
      'bench.routing@v1': { queue: `${registry}-${random.int(1, 9)}`, priority: random.int(1, 5) },
      'bench.catalog@v1': {
        entries: Array.from({ length: entries }, (_, n) => ({ code: `${role.toUpperCase()}-${n}`, label: random.pick(SENTENCES).slice(0, 40), weight: random.int(1, 100) })),
      },
    },
  };
  if (index < registries) body.set_default = true;
  return body;
};

export function* profileBodies(count: number, registries: number, options: GeneratorOptions = {}): Generator<ProfileBody> {
  for (let index = 0; index < count; index++) yield profileBody(index, registries, options);
}

export const generateProfiles = (count: number, registries: number, options: GeneratorOptions = {}): ProfileBody[] => [
  ...profileBodies(count, registries, options),
];

type Runtime = { system_prompt: string; tools: string[]; middlewares: { enabled: boolean }[]; step_settings_patch: Record<string, Record<string, unknown>> };

/** One change to a profile's current content: the PATCH body, each of its keys replacing a whole field. */
const CHANGES: ((current: ProfileBody, random: Random, serial: number) => Record<string, unknown> | undefined)[] = [
  (_, __, serial) => ({ display_name: `Renamed profile ${serial}` }),
  (_, __, serial) => ({ description: `Revision ${serial} of the description` }),
  (current, random, serial) => ({ metadata: { tags: [...((current.metadata as { tags: string[] }).tags ?? []).slice(0, 3), `rev-${serial}-${random.int(0, 9)}`] } }),
  (current) => ({ policy: { ...(current.policy as object), allow_overrides: !(current.policy as { allow_overrides: boolean }).allow_overrides } }),
  (current, _, serial) => ({ extensions: { ...(current.extensions as object), 'bench.routing@v1': { queue: `${current.registry}-r${serial}`, priority: 1 + (serial % 5) } } }),
  (current, random) => ({ runtime: { ...(current.runtime as Runtime), system_prompt: `${(current.runtime as Runtime).system_prompt}\n${random.pick(SENTENCES)}` } }),
  (current) => {
    const runtime = current.runtime as Runtime;
    const chat = runtime.step_settings_patch['ai-chat']!;
    const temperature = Math.round(((chat['ai-temperature'] as number) + 0.1) * 10) % 10 / 10;
    return { runtime: { ...runtime, step_settings_patch: { ...runtime.step_settings_patch, 'ai-chat': { ...chat, 'ai-temperature': temperature } } } };
  },
  (current, random) => {
    const runtime = current.runtime as Runtime;
    const chat = runtime.step_settings_patch['ai-chat']!;
    const others = ENGINES.openai!.engines.filter((engine) => engine !== chat['ai-engine']);
    return { runtime: { ...runtime, step_settings_patch: { ...runtime.step_settings_patch, 'ai-chat': { ...chat, 'ai-engine': random.pick(others) } } } };
  },
  (current, random) => {
    const runtime = current.runtime as Runtime;
    const missing = TOOLS.filter((tool) => !runtime.tools.includes(tool));
    if (runtime.tools.length > 0 && (missing.length === 0 || random.chance(0.4))) {
      const drop = random.int(0, runtime.tools.length - 1);
      return { runtime: { ...runtime, tools: runtime.tools.filter((_, at) => at !== drop) } };
    }
    return { runtime: { ...runtime, tools: [...runtime.tools, random.pick(missing)] } };
  },
  (current, random) => {
    const runtime = current.runtime as Runtime;
    if (runtime.middlewares.length === 0) return undefined;
    const at = random.int(0, runtime.middlewares.length - 1);
    return { runtime: { ...runtime, middlewares: runtime.middlewares.map((m, i) => (i === at ? { ...m, enabled: !m.enabled } : m)) } };
  },
];

/**
 * `count` PATCH requests over the first `profiles` generated profiles, each changing exactly one
 * thing against that profile's state after the previous patches (apply them in order). None is a
 * no-op and none sets read_only.
 */
export const generatePatches = (profiles: number, registries: number, count: number, options: GeneratorOptions = {}): PatchRequest[] => {
  const random = randomFrom(options.seed ?? 'bench', options.size ?? 'medium', registries, profiles, 'patches');
  const current = new Map<number, ProfileBody>();
  return Array.from({ length: count }, (_, serial) => {
    const index = random.int(0, profiles - 1);
    const state = current.get(index) ?? profileBody(index, registries, options);
    let body: Record<string, unknown> | undefined;
    while (body === undefined) body = random.pick(CHANGES)(state, random, serial);
    current.set(index, { ...state, ...body });
    return { slug: state.slug, registry: state.registry, body };
  });
};
