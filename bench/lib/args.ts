/** Minimal `--name value` / `--name=value` / `--flag` parser for the benchmark scripts. */
export function parseArgs(argv: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    if (eq >= 0) options.set(arg.slice(2, eq), arg.slice(eq + 1));
    else if (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--')) options.set(arg.slice(2), argv[++i]!);
    else options.set(arg.slice(2), 'true');
  }
  return options;
}

/** A positive integer option, or `fallback` when absent; throws with the option's name otherwise. */
export function intOption(options: Map<string, string>, name: string, fallback: number): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** Throws when an option other than `known` was given (typos should not silently run the default benchmark). */
export function rejectUnknown(options: Map<string, string>, known: string[]): void {
  const unknown = [...options.keys()].filter((name) => !known.includes(name));
  if (unknown.length > 0) throw new Error(`unknown option(s): ${unknown.map((name) => `--${name}`).join(', ')}; known: ${known.map((name) => `--${name}`).join(', ')}`);
}
