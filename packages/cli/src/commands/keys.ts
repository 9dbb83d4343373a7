import type { Command } from 'commander';
import { RotateEncryptionKeyDocument } from '@stuf/sdk/node';
import { clientFor, withConnection, type ConnectionOptions } from '../connection.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { CliContext } from '../program.js';

export function registerKeys(program: Command, context: CliContext): void {
  const keys = program.command('keys').description('contact-data encryption keys (STUF_ENCRYPTION_KEYS on the server)');
  const rotate = keys
    .command('rotate')
    .description(
      're-encrypt every user (and the journal entries that carry users) with the newest key, in batches; ' +
        'safe to interrupt and re-run (admins only)',
    )
    .option('--batch <n>', 'documents per request, 1–1000', '100');
  withConnection(rotate);
  rotate.action(async (options: ConnectionOptions & { batch: string }) => {
    const first = Number(options.batch);
    if (!Number.isInteger(first) || first < 1 || first > 1000) throw new CliError('--batch must be an integer from 1 to 1000', EXIT.USAGE);
    const { client } = clientFor(options);
    const totals = { USERS: { scanned: 0, reencrypted: 0 }, JOURNAL: { scanned: 0, reencrypted: 0 } };
    let cursor: string | null | undefined;
    let keyId = '';
    do {
      const { rotateEncryptionKey: batch } = await client.request(RotateEncryptionKeyDocument, { input: { cursor, first } }, { signal: context.signal });
      if (batch.__typename !== 'KeyRotationBatch') throw new CliError(`${batch.code}: ${batch.message}`, EXIT.REFUSED);
      keyId = batch.keyId;
      totals[batch.phase].scanned += batch.scanned;
      totals[batch.phase].reencrypted += batch.reencrypted;
      const label = batch.phase === 'USERS' ? 'users' : 'journal entries';
      // One line per batch: progress that reads well in a terminal and in a log alike.
      context.err(`${label}: ${totals[batch.phase].scanned} checked, ${totals[batch.phase].reencrypted} re-encrypted to key ${keyId}\n`);
      cursor = batch.cursor;
    } while (cursor);
    context.out(
      `Every ciphertext is now under key ${keyId}: ${totals.USERS.reencrypted} of ${totals.USERS.scanned} users and ` +
        `${totals.JOURNAL.reencrypted} of ${totals.JOURNAL.scanned} journal entries re-encrypted.\n`,
    );
  });
}
