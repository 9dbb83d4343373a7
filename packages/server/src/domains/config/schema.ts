import { builder } from '../../builder.js';
import { RevisionConflictError, ValidationError } from '../../errors.js';
import { ActorRef } from '../journal/schema.js';
import type { ConfigVersion, MetadataConfig, StufConfig } from './documents.js';
import { redactStufConfig } from './secrets.js';

const ConfigDocumentEnum = builder.enumType('ConfigDocument', {
  description: 'A configuration document under `config/` in the bucket.',
  values: {
    STUF_CONFIG: { value: 'stuf_config' as const, description: '`config/stuf_config.json`: the facility settings.' },
    METADATA_CONFIG: { value: 'metadata_config' as const, description: '`config/metadata_config.json`: the metadata fields.' },
  },
});

/** What the API shows of a document: stuf_config without its secrets. */
const visible = (document: 'stuf_config' | 'metadata_config', config: unknown) =>
  document === 'stuf_config' ? redactStufConfig(config as StufConfig) : config;

const ConfigVersionRef = builder.objectRef<ConfigVersion>('ConfigVersion').implement({
  description: 'One published version of a config document (`config/history/`).',
  fields: (t) => ({
    document: t.field({ type: ConfigDocumentEnum, resolve: (version) => version.document }),
    revision: t.exposeInt('revision'),
    publishedAt: t.field({ type: 'DateTime', resolve: (version) => version.publishedAt }),
    publishedBy: t.field({ type: ActorRef, resolve: (version) => version.publishedBy }),
    config: t.field({ type: 'JSON', description: 'The document as published; secrets appear only as `apiKeySet` / `secretSet`.', resolve: (version) => visible(version.document, version.config) }),
  }),
});

const UpdateStufConfigPayload = builder.objectRef<StufConfig>('UpdateStufConfigPayload').implement({
  fields: (t) => ({
    revision: t.int({ description: 'The new revision: send it with the next change.', resolve: (config) => config.revision }),
    config: t.field({ type: 'JSON', description: 'The published document, secrets replaced by `apiKeySet` / `secretSet`.', resolve: (config) => redactStufConfig(config) }),
  }),
});

const UpdateMetadataConfigPayload = builder.objectRef<MetadataConfig>('UpdateMetadataConfigPayload').implement({
  fields: (t) => ({
    revision: t.int({ description: 'The new revision: send it with the next change.', resolve: (config) => config.revision }),
    config: t.field({ type: 'JSON', resolve: (config) => config }),
  }),
});

const UpdateStufConfigInput = builder.inputType('UpdateStufConfigInput', {
  fields: (t) => ({
    revision: t.int({ required: true, description: 'The revision the change is based on; a stale one gets `RevisionConflictError`.' }),
    config: t.field({
      type: 'JSON',
      required: true,
      description:
        'The whole document as `stufConfig` returns it, edited. `notifications.zulip.apiKey` / `notifications.webhook.secret`: ' +
        'a string sets the secret (stored encrypted), omitted or null keeps the stored one. `schemaVersion`, `revision`, ' +
        '`apiKeySet` and `secretSet` are ignored.',
    }),
  }),
});

const UpdateMetadataConfigInput = builder.inputType('UpdateMetadataConfigInput', {
  fields: (t) => ({
    revision: t.int({ required: true, description: 'The revision the change is based on; a stale one gets `RevisionConflictError`.' }),
    config: t.field({ type: 'JSON', required: true, description: 'The whole document as `metadataConfig` returns it, edited.' }),
  }),
});

builder.queryFields((t) => ({
  stufConfig: t.field({
    type: 'JSON',
    description: 'The facility settings in force (`config/stuf_config.json`). Secrets appear only as `apiKeySet` / `secretSet`. Admins only.',
    authScopes: { admin: true },
    resolve: async (_root, _args, context) => redactStufConfig(await context.services.config.stufConfig()),
  }),
  metadataConfig: t.field({
    type: 'JSON',
    description: 'The metadata field definitions in force (`config/metadata_config.json`), disabled fields included. Admins only.',
    authScopes: { admin: true },
    resolve: (_root, _args, context) => context.services.config.metadataConfig(),
  }),
  configHistory: t.field({
    type: [ConfigVersionRef],
    description: 'Published versions of a config document, newest first. Admins only.',
    authScopes: { admin: true },
    args: {
      document: t.arg({ type: ConfigDocumentEnum, required: true }),
      first: t.arg.int({ required: false, description: 'How many, 1–100 (default 20).' }),
    },
    resolve: (_root, { document, first }, context) => context.services.config.history(document, Math.min(100, Math.max(1, first ?? 20))),
  }),
}));

builder.mutationFields((t) => ({
  updateStufConfig: t.field({
    type: UpdateStufConfigPayload,
    description: 'Publishes new facility settings. In force on this server at once, on every other replica within STUF_CONFIG_REFRESH_MS. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateStufConfigInput, required: true }) },
    errors: { types: [ValidationError, RevisionConflictError], union: { name: 'UpdateStufConfigResult' } },
    resolve: (_root, { input }, context) => context.services.config.updateStufConfig(context.viewer!.actor, input.revision, input.config),
  }),
  updateMetadataConfig: t.field({
    type: UpdateMetadataConfigPayload,
    description: 'Publishes new metadata field definitions (validated: unique keys and options, conditions on existing fields and options, …). Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateMetadataConfigInput, required: true }) },
    errors: { types: [ValidationError, RevisionConflictError], union: { name: 'UpdateMetadataConfigResult' } },
    resolve: (_root, { input }, context) => context.services.config.updateMetadataConfig(context.viewer!.actor, input.revision, input.config),
  }),
}));
