import { z } from 'zod';

/** Who did something: the bootstrap admin token for now; users arrive with the users domain. */
export const actorSchema = z.object({
  id: z.string(),
  kind: z.enum(['admin-token', 'user', 'system']),
});
export type Actor = z.infer<typeof actorSchema>;

/** One audit entry, written once under `journal/<timestamp>_<id>.json` and never overwritten. */
export const journalEntrySchema = z.object({
  schemaVersion: z.literal(1),
  id: z.string(),
  time: z.iso.datetime(),
  actor: actorSchema,
  /** `<resource type>.<verb>`, e.g. `upload.create`. */
  action: z.string(),
  resource: z.object({ type: z.string(), id: z.string() }),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
