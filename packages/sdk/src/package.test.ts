import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SDK = fileURLToPath(new URL('..', import.meta.url));

/** Type-checks (or emits) a tsconfig of the SDK with the compiler API; returns formatted diagnostics. */
function compile(configFile: string, overrides: ts.CompilerOptions = {}, rootNames?: string[]): { errors: ts.Diagnostic[]; text: string } {
  const configPath = path.join(SDK, configFile);
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
  const program = ts.createProgram({ rootNames: rootNames ?? parsed.fileNames, options: { ...parsed.options, ...overrides } });
  const emitted = overrides.noEmit === false ? program.emit().diagnostics : [];
  const errors = [...ts.getPreEmitDiagnostics(program), ...emitted].filter((d) => d.category === ts.DiagnosticCategory.Error);
  const text = ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => SDK, getNewLine: () => '\n' });
  return { errors, text };
}

describe('type test: the File scalar', () => {
  it('accepts Blob, File, Buffer, Uint8Array and the node helpers; rejects strings and plain objects (every @ts-expect-error is used)', () => {
    const { text } = compile('type-tests/tsconfig.json');
    expect(text).toBe('');
  });

  it('fails compilation for createUpload({ files: ["x"] })', () => {
    const { errors } = compile('type-tests/tsconfig.json', {}, [path.join(SDK, 'type-tests/string-file.ts')]);
    expect(errors).toHaveLength(1);
    const [error] = errors;
    expect(error!.code).toBe(2322); // Type 'string' is not assignable to type 'FileInput'.
    expect(ts.flattenDiagnosticMessageText(error!.messageText, '\n')).toMatch(/string.*not assignable.*FileInput/s);
    const { line } = error!.file!.getLineAndCharacterOfPosition(error!.start!);
    expect(error!.file!.text.split('\n')[line]).toContain("createUpload({ files: ['x'] })");
  });
});

describe('browser entry', () => {
  it('imports nothing from Node, transitively', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(file, 'utf8');
      for (const [, specifier] of source.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
        if (specifier!.startsWith('.')) visit(path.resolve(path.dirname(file), specifier!.replace(/\.js$/, '.ts')));
        else expect.soft(specifier, `${path.relative(SDK, file)} imports ${specifier}`).toBe('@graphql-typed-document-node/core');
      }
      expect(source, `${path.relative(SDK, file)} uses require()`).not.toMatch(/\brequire\(/);
    };
    visit(path.join(SDK, 'src/index.ts'));
    expect([...seen].map((file) => path.relative(SDK, file)).sort()).not.toContain('src/node.ts');
    expect(seen.size).toBeGreaterThan(5);
  });

  it('type-checks with only the ES and DOM libraries (no @types/node)', () => {
    expect(compile('tsconfig.browser.json').text).toBe('');
  });
});

describe('package build', () => {
  it('builds to ESM with .d.ts that plain Node (no TypeScript loader) can import', async () => {
    const outDir = await mkdtemp(path.join(tmpdir(), 'stuf-sdk-build-'));
    try {
      expect(compile('tsconfig.build.json', { noEmit: false, outDir }).text).toBe('');
      const publish = JSON.parse(readFileSync(path.join(SDK, 'package.json'), 'utf8')).publishConfig.exports as Record<string, { types: string; default: string }>;
      for (const target of Object.values(publish)) {
        expect(existsSync(path.join(outDir, target.default.replace('./dist/', '')))).toBe(true);
        expect(existsSync(path.join(outDir, target.types.replace('./dist/', '')))).toBe(true);
      }
      expect(existsSync(path.join(outDir, 'package.test.js'))).toBe(false);
      const script = `
        const sdk = await import(${JSON.stringify(path.join(outDir, 'node.js'))});
        const client = sdk.createStufClient({ url: 'http://127.0.0.1:9' });
        const error = await client.createUpload({ files: ['x'] }).catch((e) => e);
        console.log(JSON.stringify({ endpoint: client.endpoint, code: error.code, isStufError: error instanceof sdk.StufError, file: sdk.isStufFile(sdk.fileFromPath('x')) }));
      `;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: outDir });
      expect(JSON.parse(stdout)).toEqual({ endpoint: 'http://127.0.0.1:9/graphql', code: 'INVALID_INPUT', isStufError: true, file: true });
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});
