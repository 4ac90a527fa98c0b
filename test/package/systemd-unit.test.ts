import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/test-store.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const BUILT_BIN = join(REPO, 'dist', 'src', 'cli', 'main.js');

/** The unit as docs/OPERATIONS.md gives it: the ini block of its systemd section. */
const documentedUnit = (): string => {
  const operations = readFileSync(join(REPO, 'docs', 'OPERATIONS.md'), 'utf8');
  const section = operations.slice(operations.indexOf('## Run as a systemd service'));
  const block = /```ini\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error('docs/OPERATIONS.md has no ini block under "## Run as a systemd service"');
  return block[1];
};

/** Section → key → values (a key may repeat, as Environment= does); comments left out. */
const parseUnit = (text: string): Map<string, Map<string, string[]>> => {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const line of text.split('\n').map((each) => each.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1], current);
      continue;
    }
    const at = line.indexOf('=');
    if (!current || at <= 0) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, at);
    current.set(key, [...(current.get(key) ?? []), line.slice(at + 1)]);
  }
  return sections;
};

const systemdAnalyze = (args: string[]) => spawnSync('systemd-analyze', args, { encoding: 'utf8' });

describe('the systemd unit in docs/OPERATIONS.md', () => {
  const { dir, remove } = tempDir();
  afterAll(remove);
  const unit = documentedUnit();

  it('runs `profile-registry serve` from the production install, as an unprivileged user, stopped by SIGTERM', () => {
    const sections = parseUnit(unit);
    expect([...sections.keys()]).toEqual(['Unit', 'Service', 'Install']);
    const value = (section: string, key: string) => sections.get(section)?.get(key) ?? [];
    expect(value('Unit', 'Description')).toHaveLength(1);
    expect(value('Unit', 'After').join(' ')).toContain('network.target');
    expect(value('Service', 'Type')).toEqual(['simple']);
    // the folder the README's Production section installs into
    expect(readFileSync(join(REPO, 'README.md'), 'utf8')).toContain('cd /opt/profile-registry');
    expect(value('Service', 'ExecStart')).toEqual(['/opt/profile-registry/node_modules/.bin/profile-registry serve']);
    const [user] = value('Service', 'User');
    expect(user).toMatch(/^[a-z][a-z0-9-]*$/);
    expect(user).not.toBe('root');
    expect(value('Service', 'KillSignal')).toEqual(['SIGTERM']);
    // more than the shutdown takes (2 s, 10 s grace for a client that never finishes its request)
    expect(Number(value('Service', 'TimeoutStopSec')[0])).toBeGreaterThan(10);
    expect(value('Service', 'Restart')).toEqual(['on-failure']);
    // the database lives in the state directory, private to the service user
    const [stateDirectory] = value('Service', 'StateDirectory');
    expect(value('Service', 'StateDirectoryMode')).toEqual(['0700']);
    expect(value('Service', 'UMask')).toEqual(['0077']);
    const environment = value('Service', 'Environment').flatMap((line) => line.split(/\s+/));
    expect(environment).toContain(`PROFILE_REGISTRY_DB=/var/lib/${stateDirectory}/profiles.db`);
    expect(value('Service', 'WorkingDirectory')).toEqual([`/var/lib/${stateDirectory}`]);
    expect(value('Install', 'WantedBy')).toEqual(['multi-user.target']);
  });

  it('passes `systemd-analyze verify` where the tool exists (with ExecStart pointing at the built bin)', () => {
    const unitFile = join(dir, 'profile-registry.service');
    const verify = (text: string) => {
      writeFileSync(unitFile, text);
      const result = systemdAnalyze(['verify', unitFile]);
      // verify also reports on other units of the host: keep what names this one
      const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.includes('profile-registry'));
      return { status: result.status, findings };
    };
    const local = unit.replace('/opt/profile-registry/node_modules/.bin/profile-registry', BUILT_BIN);
    if (systemdAnalyze(['--version']).error) {
      // no systemd here: the unit is still checked key by key above; and its bin must run from the path it names
      expect(spawnSync(BUILT_BIN, ['--version'], { encoding: 'utf8' }).status).toBe(0);
      return;
    }
    expect(verify(local)).toEqual({ status: 0, findings: [] });
    // and the check can fail: a misspelt value is reported
    expect(verify(local.replace('Type=simple', 'Type=simpel')).findings.join('\n')).toMatch(/Failed to parse service type/);
  });
});
