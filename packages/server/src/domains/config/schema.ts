import { builder } from '../../builder.js';

builder.queryFields((t) => ({
  stufConfig: t.field({
    type: 'JSON',
    description: 'The facility settings (`config/stuf_config.json`) as stored. Admins only.',
    authScopes: { admin: true },
    resolve: (_root, _args, context) => context.services.config.stufConfig(),
  }),
}));
