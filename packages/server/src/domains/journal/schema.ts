import { builder } from '../../builder.js';
import type { Actor } from './documents.js';

export const ActorRef = builder.objectRef<Actor>('Actor').implement({
  description: 'Who did something.',
  fields: (t) => ({
    id: t.exposeID('id'),
    kind: t.exposeString('kind', { description: '`admin-token`, `user` or `system`.' }),
  }),
});
