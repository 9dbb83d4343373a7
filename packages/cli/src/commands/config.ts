import type { Command } from 'commander';
import { clientFor, withConnection, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { CliContext } from '../program.js';

export function registerConfig(program: Command, context: CliContext): void {
  const config = program.command('config').description("the facility's settings (config/stuf_config.json)");
  const get = config
    .command('get')
    .description('print the settings as JSON (admins only), or one value by its dotted path')
    .argument('[path]', 'e.g. uploads.maxFileSizeBytes');
  withConnection(get);
  get.action(async (keyPath: string | undefined, options: ConnectionOptions) => {
    const { client } = clientFor(options);
    let value: unknown = await client.stufConfig({ signal: context.signal });
    for (const segment of keyPath ? keyPath.split('.') : []) {
      if (value === null || typeof value !== 'object' || !Object.hasOwn(value, segment)) throw new CliError(`no setting ${keyPath}`, EXIT.NOT_FOUND);
      value = (value as Record<string, unknown>)[segment];
    }
    context.out(`${JSON.stringify(value, null, 2)}\n`);
  });
}
