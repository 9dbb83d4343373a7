import { InvalidArgumentError, Option, type Command } from 'commander';
import { CreateApiTokenDocument, CreateUserDocument, fileFromPath, UsersDocument } from '@stuf/sdk/node';
import { clientFor, withConnection, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import { table } from '../format.js';
import type { CliContext } from '../program.js';

function isoDate(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new InvalidArgumentError('expected a date, e.g. 2027-01-31 or 2027-01-31T18:00:00Z');
  return date.toISOString();
}

/** `stuf users …`: admin user management (list, create, import from CSV, issue an API token). */
export function registerUsers(program: Command, context: CliContext): void {
  const users = program.command('users').description('manage users (admins only)');

  const list = users
    .command('list')
    .description('list users, newest first (contact data decrypted by the server)')
    .option('-s, --search <text>', 'only users whose name, email or phone contains this text')
    .addOption(new Option('--role <role>', 'only this role').choices(['admin', 'participant']))
    .addOption(new Option('--status <status>', 'only this status').choices(['invited', 'active', 'suspended', 'expired']))
    .option('--json', 'print JSON instead of a table');
  withConnection(list);
  list.action(async (options: ConnectionOptions & { search?: string; role?: string; status?: string; json?: boolean }) => {
    const { client } = clientFor(options);
    const filter = {
      ...(options.role ? { role: options.role.toUpperCase() as 'ADMIN' | 'PARTICIPANT' } : {}),
      ...(options.status ? { status: options.status.toUpperCase() as 'INVITED' | 'ACTIVE' | 'SUSPENDED' | 'EXPIRED' } : {}),
    };
    const rows = [];
    let after: string | null | undefined;
    do {
      const { users: page } = await client.request(UsersDocument, { first: 100, after, search: options.search, filter }, { signal: context.signal });
      rows.push(...page.nodes);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    if (options.json) return void context.out(`${JSON.stringify(rows, null, 2)}\n`);
    if (rows.length === 0) return void context.out('No users.\n');
    context.out(
      table(
        ['ID', 'NAME', 'EMAIL', 'PHONE', 'ROLE', 'STATUS', 'EXPIRES'],
        rows.map((user) => [user.id, user.name, user.email ?? '', user.phone ?? '', user.role.toLowerCase(), user.status.toLowerCase(), user.accessExpiresAt ?? '']),
      ),
    );
  });

  const create = users
    .command('create')
    .description('create a user (invited until their first sign-in)')
    .requiredOption('--name <name>')
    .requiredOption('--email <email>')
    .requiredOption('--phone <phone>', 'for the SMS sign-in code, e.g. +41791234567')
    .addOption(new Option('--role <role>').choices(['admin', 'participant']).default('participant'))
    .option('--expires <date>', 'access ends at this time', isoDate);
  withConnection(create);
  create.action(async (options: ConnectionOptions & { name: string; email: string; phone: string; role: string; expires?: string }) => {
    const { client } = clientFor(options);
    const { createUser: result } = await client.request(
      CreateUserDocument,
      { input: { name: options.name, email: options.email, phone: options.phone, role: options.role.toUpperCase() as 'ADMIN' | 'PARTICIPANT', accessExpiresAt: options.expires } },
      { signal: context.signal },
    );
    if (result.__typename !== 'CreateUserPayload') {
      const details = result.__typename === 'ValidationError' ? `: ${result.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` : '';
      throw new CliError(`${result.code}: ${result.message}${details}`, EXIT.REFUSED);
    }
    context.out(`${result.user.id}\n`);
  });

  const token = users
    .command('token')
    .description('issue an API token acting as a user; the secret is printed once')
    .argument('<userId>')
    .requiredOption('--label <label>', 'what the token is for')
    .option('--expires <date>', 'the token stops working at this time', isoDate);
  withConnection(token);
  token.action(async (userId: string, options: ConnectionOptions & { label: string; expires?: string }) => {
    const { client } = clientFor(options);
    const { createApiToken: result } = await client.request(CreateApiTokenDocument, { input: { userId, label: options.label, expiresAt: options.expires } }, { signal: context.signal });
    if (result.__typename !== 'CreateApiTokenPayload') throw new CliError(`${result.code}: ${result.message}`, result.code === 'NOT_FOUND' ? EXIT.NOT_FOUND : EXIT.REFUSED);
    context.err(`API token ${result.apiToken.id} for ${userId} (shown once, store it now):\n`);
    context.out(`${result.token}\n`);
  });
  const importCsv = users
    .command('import')
    .description('create users from a CSV file (columns: name, email, phone, role, expiry); rows that fail are reported, the others created')
    .argument('<file.csv>')
    .option('--dry-run', 'check every row and report, create nobody')
    .option('--json', 'print the whole report as JSON');
  withConnection(importCsv);
  importCsv.action(async (path: string, options: ConnectionOptions & { dryRun?: boolean; json?: boolean }) => {
    const { client } = clientFor(options);
    const result = await client.importUsers(fileFromPath(path, { type: 'text/csv' }), { dryRun: options.dryRun ?? false, signal: context.signal });
    if (result.__typename !== 'ImportUsersPayload') {
      const details = result.__typename === 'ValidationError' ? `: ${result.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` : '';
      throw new CliError(`${result.code}: ${result.message}${details}`, EXIT.REFUSED);
    }
    if (options.json) context.out(`${JSON.stringify(result, null, 2)}\n`);
    else {
      context.out(
        result.dryRun ? `Dry run: would create ${result.total - result.problems.length} of ${result.total} users.\n` : `Created ${result.created} of ${result.total} users.\n`,
      );
      if (result.problems.length > 0) {
        const why = (row: (typeof result.problems)[number]) => [row.message, ...row.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)].filter(Boolean).join('; ');
        context.out(table(['LINE', 'STATUS', 'PROBLEM'], result.problems.map((row) => [String(row.line), row.status.toLowerCase(), why(row)])));
      }
    }
    // Rows that were not created make the command fail, so a script notices; the report says which.
    if (result.problems.length > 0) throw new CliError(`${result.problems.length} of ${result.total} rows not ${result.dryRun ? 'valid' : 'created'}`, EXIT.REFUSED);
  });
}
