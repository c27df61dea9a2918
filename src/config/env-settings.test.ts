import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from './config-problem.js';
import { ENV_VARIABLES, envSettings, TOOLING_ENV_VARIABLES } from './env-settings.js';
import { loadConfig } from './load-config.js';

const ROOT = resolve(import.meta.dirname, '../..');

function problemLines(env: NodeJS.ProcessEnv): string[] {
  const result = loadConfig({ env });
  if (result.ok) throw new Error(`expected ${Object.keys(env).join(', ')} to be refused`);
  return result.errors.map(formatProblem);
}

/** Every file under `dir` that is ours: not built, installed or generated. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', '.out', '.git', '.tmp'].includes(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.isFile() && statSync(path).size < 1_000_000) yield path;
  }
}

describe('TRADETRACE_ variables that are not config keys', () => {
  it('refuses a key written with one underscore after the prefix, naming it, what was expected and the spelling meant', () => {
    expect(problemLines({ TRADETRACE_EXECUTION__QUOTE_BUDGET: '60' })).toEqual([
      'TRADETRACE_EXECUTION__QUOTE_BUDGET: unknown environment variable; expected a config key as TRADETRACE__SECTION__KEY (two underscores after TRADETRACE and between section and key), or TRADETRACE_DATA_DIR; did you mean TRADETRACE__EXECUTION__QUOTE_BUDGET?',
    ]);
  });

  it('suggests the nearest key or variable when the rest is not a key as it stands, and nothing when none is near', () => {
    const { problems } = envSettings({ TRADETRACE_EXECUTION_QUOTE_BUDGET: '60', TRADETRACE_DATADIR: '/d', TRADETRACE_FOO: '1' });
    expect(problems).toEqual([
      { code: 'unknown_env', name: 'TRADETRACE_DATADIR', expected: expect.any(String) as string, suggestion: 'TRADETRACE_DATA_DIR' },
      { code: 'unknown_env', name: 'TRADETRACE_EXECUTION_QUOTE_BUDGET', expected: expect.any(String) as string, suggestion: 'TRADETRACE__EXECUTION__QUOTE_BUDGET' },
      { code: 'unknown_env', name: 'TRADETRACE_FOO', expected: expect.any(String) as string },
    ]);
    // The same slip the other way round: the data dir variable written as if it were a key.
    expect(problemLines({ TRADETRACE__DATA_DIR: '/d' })).toEqual(['TRADETRACE__DATA_DIR: unknown config key (from env TRADETRACE__DATA_DIR); did you mean TRADETRACE_DATA_DIR?']);
  });

  it('accepts the variables the bot and its tooling read, and leaves every other variable alone', () => {
    const env = { TRADETRACE_DATA_DIR: '/d', TRADETRACE_TOOLS_DIR: '/t', TRADETRACE_KEEP_TEST_DIRS: '1', TRADETRACE__EXECUTION__QUOTE_BUDGET: '60', TRADETRACEX: '1', HOME: '/root' };
    const result = loadConfig({ env });
    expect(result.ok && result.value.config.execution.quote_budget.toString()).toBe('60');
    expect(result.ok && result.value.overrides.map((o) => o.source)).toEqual([{ kind: 'env', name: 'TRADETRACE__EXECUTION__QUOTE_BUDGET' }]);
  });

  it('knows every TRADETRACE_ variable the code, tests, scripts and CI read (a new one must be listed, or the bot refuses it)', () => {
    // env['X'], env.X, and a shell's $X / ${X}: how this repository reads a variable.
    const read = /(?:env(?:\.|\[\s*['"])|\$\{?)(TRADETRACE_[A-Z0-9][A-Z0-9_]*)/g;
    const found = new Map<string, string>();
    for (const top of ['src', 'test', 'scripts', 'bench', 'bin', 'ops', '.ci', 'package.json']) {
      const start = join(ROOT, top);
      const files = statSync(start, { throwIfNoEntry: false })?.isDirectory() ? [...sourceFiles(start)] : [start];
      for (const file of files) {
        for (const match of readFileSync(file, 'utf8').matchAll(read)) found.set(match[1] ?? '', relative(ROOT, file));
      }
    }
    expect(found.has('TRADETRACE_DATA_DIR')).toBe(true);
    const known = new Set([...ENV_VARIABLES, ...TOOLING_ENV_VARIABLES]);
    expect([...found].filter(([name]) => !known.has(name))).toEqual([]);
  });
});
