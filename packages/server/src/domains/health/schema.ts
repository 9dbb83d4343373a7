import { builder } from '../../builder.js';

builder.queryFields((t) => ({
  health: t.field({
    type: builder.objectRef<{ storage: string }>('Health').implement({
      fields: (h) => ({
        ok: h.boolean({ resolve: () => true }),
        storage: h.exposeString('storage', { description: 'The storage driver in use: `fs` or `s3`.' }),
      }),
    }),
    description: 'Liveness; the only field that needs no token.',
    skipTypeScopes: true,
    resolve: (_root, _args, context) => ({ storage: context.services.storageName }),
  }),
}));
