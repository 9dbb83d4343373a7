import { builder } from '../../builder.js';
import { ActorRef } from '../journal/schema.js';
import type { Viewer } from './service.js';

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The authenticated caller.',
  fields: (t) => ({
    actor: t.field({ type: ActorRef, resolve: (viewer) => viewer.actor }),
    role: t.exposeString('role', { description: '`admin` (participants arrive with the users issue).' }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({ type: ViewerRef, resolve: (_root, _args, context) => context.viewer! }),
}));
