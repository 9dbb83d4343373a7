import { describe, expect, it } from 'vitest';
import { runCli, type CliContext } from './program.js';
import { parseMeta } from './commands/upload.js';
import { formatBytes, safeLocalName, table, uniqueName } from './format.js';

/** Runs the CLI in-process with captured output (the binary's own exit codes are covered by test/cli.e2e.test.ts). */
async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const context: CliContext = {
    out: (text) => void (stdout += text),
    err: (text) => void (stderr += text),
    signal: new AbortController().signal,
    keepAlive: false,
  };
  const { code } = await runCli(args, context);
  return { code, stdout, stderr };
}

describe('stuf usage', () => {
  it('has --help for every command', async () => {
    for (const command of [[], ['upload'], ['uploads'], ['uploads', 'list'], ['uploads', 'download'], ['config'], ['config', 'get'], ['config', 'set'], ['serve']]) {
      const result = await cli([...command, '--help']);
      const name = ['stuf', ...command].join(' ');
      expect(result.code, name).toBe(0);
      expect(result.stdout, name).toMatch(new RegExp(`^Usage: ${name} `));
    }
  });

  it('answers bad arguments with a usage message and exit code 2, before contacting any server', async () => {
    const cases: [string[], RegExp][] = [
      [['upload'], /missing required argument 'files'/],
      [['upload', 'package.json', '--meta', 'novalue'], /--meta expects key=value/],
      [['upload', 'does-not-exist.bin'], /cannot read does-not-exist\.bin/],
      [['uploads', 'list', '--first', '1000'], /expected a whole number from 1 to 100/],
      [['uploads', 'list', '--bogus'], /unknown option '--bogus'/],
      [['uploads', 'download'], /missing required argument 'id'/],
      [['uploads'], /Commands:/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['uploads', 'list', '--url', 'not a url'], /invalid --url/],
      [['serve', '--port', 'x'], /expected a port number/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).toMatch(/Usage: stuf/);
      expect(result.stdout).toBe('');
    }
  });
});

describe('helpers', () => {
  it('parses --meta pairs; a repeated key becomes a list; "=" may appear in values', () => {
    expect(parseMeta(['a=1', 'b=x=y', 'a=2', 'c='])).toEqual({ a: ['1', '2'], b: 'x=y', c: '' });
    expect(() => parseMeta(['=x'])).toThrow(/key=value/);
  });

  it('formats sizes and tables', () => {
    expect([formatBytes(0), formatBytes(999), formatBytes(1500), formatBytes(209_715_200)]).toEqual(['0 B', '999 B', '1.5 kB', '210 MB']);
    expect(table(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y\n');
  });

  it('makes downloaded file names safe and unique', () => {
    expect(safeLocalName('../../etc/passwd')).toBe('.._.._etc_passwd');
    expect(safeLocalName('..')).toBe('_');
    expect(safeLocalName('a\u0000b\nc')).toBe('a_b_c');
    expect(uniqueName('same.txt', new Set(['same.txt', 'same (2).txt']))).toBe('same (3).txt');
  });
});
