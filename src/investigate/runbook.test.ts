import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../test/support/cli.js';
import { runQuery } from '../../test/support/run-query.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { INCIDENT_KINDS, writeConfigDrift, writeDeadBot, writeHungBot, writeNoTrades, writeOrderFailures, writeUnexpectedDash, type IncidentKind } from './testing/incidents.js';

// docs/runbook.md cannot go stale: each incident section's commands run against logs of that
// incident, and each example answer must appear in the real output of the section's first command.

interface Section {
  readonly kind: IncidentKind;
  readonly blockCommands: string[];
  readonly inlineCommands: string[];
  readonly answers: string[];
}

function parseRunbook(markdown: string): Section[] {
  const parts = markdown.split(/<!-- incident: ([a-z_]+) -->/);
  const sections: Section[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const kind = parts[i] as IncidentKind;
    const body = (parts[i + 1] ?? '').split(/\n## /)[0] ?? '';
    const blocks = [...body.matchAll(/```(sh|text)\n([\s\S]*?)```/g)];
    const prose = body.replace(/```[\s\S]*?```/g, '');
    sections.push({
      kind,
      blockCommands: blocks.filter((b) => b[1] === 'sh').flatMap((b) => (b[2] ?? '').split('\n').filter((l) => l.startsWith('tradetrace '))),
      inlineCommands: [...prose.matchAll(/`(tradetrace [^`]+)`/g)].map((m) => m[1] ?? ''),
      answers: blocks.filter((b) => b[1] === 'text').flatMap((b) => (b[2] ?? '').split('\n').map((l) => l.trim()).filter((l) => l.length > 0)),
    });
  }
  return sections;
}

/** Writes the incident and returns what the runbook's placeholders stand for. */
function incident(kind: IncidentKind, dir: string): Record<string, string> {
  switch (kind) {
    case 'no_trades': {
      const f = writeNoTrades(dir);
      return { decision_id: f.maxOpen[3] ?? '', session_id: f.sessionId };
    }
    case 'order_failures': {
      const f = writeOrderFailures(dir);
      return { decision_id: f.exhausted.decisionId, intent_id: f.exhausted.intentId, session_id: f.sessionId };
    }
    case 'hung_bot':
      return { session_id: writeHungBot(dir).sessionId };
    case 'config_drift':
      return { session_id: writeConfigDrift(dir).second };
    case 'dead_bot':
      return { session_id: writeDeadBot(dir).sessionId };
    case 'unexpected_dash': {
      const f = writeUnexpectedDash(dir);
      return { decision_id: f.filled.decisionId, session_id: f.sessionId };
    }
  }
}

function argv(command: string, values: Record<string, string>): string[] {
  const filled = command.replace(/<([a-z_]+)>/g, (_m, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`runbook command ${JSON.stringify(command)} uses <${name}>, which this incident does not provide`);
    return value;
  });
  // The runbook's commands use no quoting, so splitting on spaces is exact.
  return filled.split(' ').slice(1);
}

const sections = parseRunbook(readFileSync(join(PROJECT_ROOT, 'docs/runbook.md'), 'utf8'));

describe('docs/runbook.md', () => {
  it('has one section per incident class, each with a command and an example answer', () => {
    expect(sections.map((s) => s.kind)).toEqual([...INCIDENT_KINDS]);
    for (const s of sections) {
      expect(s.blockCommands.length, s.kind).toBeGreaterThan(0);
      expect(s.answers.length, s.kind).toBeGreaterThan(0);
    }
  });

  for (const section of sections) {
    it(`${section.kind}: every command runs on logs of the incident, and the example answer is what the first one prints`, async () => {
      const dir = tempDir(`tt-runbook-${section.kind}-`);
      const values = incident(section.kind, dir);
      const env = { TRADETRACE_DATA_DIR: dir };
      const [first, ...rest] = section.blockCommands;
      const main = await runQuery(argv(first ?? '', values), { env });
      expect(main.code, `${first ?? ''}\n${main.stderr}`).toBe(0);
      for (const line of section.answers) expect(main.stdout, `example answer line of ${section.kind}`).toContain(line);
      for (const command of rest) {
        const r = await runQuery(argv(command, values), { env });
        expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      }
      // Commands mentioned in the prose must at least be valid and find logs (0 found, 1 nothing matched).
      for (const command of section.inlineCommands) {
        const r = await runQuery(argv(command, values), { env });
        expect([0, 1], `${command}\n${r.stderr}`).toContain(r.code);
      }
    });
  }
});
