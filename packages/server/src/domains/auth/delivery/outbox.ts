import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../logger.js';
import { journalTimestamp } from '../../../storage/keys.js';
import type { MessageSender, OutgoingMessage } from './message.js';

/**
 * Development delivery: each message becomes a JSON file in a folder outside the bucket (`STUF_OUTBOX_DIR`), named so
 * they sort by time. The log says where it is, not what it says (codes and addresses are never logged).
 */
export class OutboxSender implements MessageSender {
  readonly name = 'outbox';

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = path.join(this.dir, `${journalTimestamp(new Date())}_${message.channel}_${randomUUID()}.json`);
    // Written under a temporary name and renamed, so a reader never sees half a message.
    const temporary = `${file}.tmp`;
    await writeFile(temporary, `${JSON.stringify({ ...message, sentAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
    this.logger.info({ channel: message.channel, file }, 'message written to the dev outbox');
  }
}
