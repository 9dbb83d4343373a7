import DataLoader from 'dataloader';
import type { UserRecord } from './documents.js';
import type { UsersService } from './service.js';

/** Batches `user(id)` lookups of one request into one cache read. */
export function createUserLoader(users: UsersService): DataLoader<string, UserRecord | null> {
  return new DataLoader((ids) => users.getMany(ids));
}
