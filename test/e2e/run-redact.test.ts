// Secrets never reach the terminal, the logs, the journal or an error message, in any spelling
// the tools around a block print them: raw, zx's `$'...'`, POSIX `'\''`, JSON, util.inspect,
// `printf %q`, `set -x`, and split across output chunks.
import { describe, expect, it } from 'vitest';
import { allLogs, useTempRepos } from './run-helpers.ts';

const repo = useTempRepos();

// Every awkward character at once: ' " \ $ newline tab, non-ASCII and an emoji.
const SECRET = `Hun'ter"2\\x$Q9z\n\tü🔑end`;
// Letters that every spelling prints as they are: finding them would mean a leak.
const TELLTALES = ['Hun', 'Q9z', 'ü', '🔑'];

describe('mikado run: secrets', () => {
  it('are redacted on the terminal, in the logs, the journal and error messages, in every quoting', () => {
    const r = repo({
      config: 'profiles:\n  lab:\n    vars:\n      token: { env: LAB_TOKEN, secret: true }\n',
    });
    r.card('secretive', {
      blocks: [
        {
          code: `
const s = mikado.vars.token;
console.log('raw', s);
console.log('inspect', { t: s });
console.log('json', JSON.stringify({ t: s }));
console.log('nested', JSON.stringify(JSON.stringify(s)));
await $\`echo zx-\${s}\`;
await $\`bash -c \${'set -x; x="$1"; printf "%q\\\\n" "$x"'} _ \${s}\`;
process.stdout.write('split ' + s.slice(0, 4));
await sleep(300);
process.stdout.write(s.slice(4, 9));
await sleep(300);
process.stdout.write(s.slice(9) + ' done\\n');
try { mikado.set('leak', { t: s }); } catch (e) { console.log(String(e)); }
throw new Error('failed with ' + s);
`,
        },
      ],
    });
    r.commit();
    const out = r.mikado(['run', 'secretive', '--profile', 'lab'], { env: { LAB_TOKEN: SECRET } });
    expect(out.code).toBe(1);
    const journal = r.read('.mikado/journal/lab.jsonl');
    const logs = allLogs(r);
    for (const [where, text] of Object.entries({
      stdout: out.stdout,
      stderr: out.stderr,
      journal,
      logs,
    })) {
      for (const t of TELLTALES) expect(text, `${where} holds ${t}`).not.toContain(t);
    }
    expect(logs).toContain('raw ***');
    expect(logs).toContain("$ echo zx-$'***'");
    expect(logs).toContain("+ x='***'");
    expect(logs).toContain('zx-***');
    expect(logs).toContain('split *** done');
    expect(logs).toMatch(/\+ x=.*\*\*\*/);
    expect(logs).toMatch(/Unexpected secret in `mikado.set\('leak'\)`/);
    expect(journal).toContain('failed with ***');
    expect(out.stdout).toContain('failed with ***');
  });
});
