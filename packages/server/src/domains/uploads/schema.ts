import { builder } from '../../builder.js';
import { LimitExceededError, ValidationError } from '../../errors.js';
import { ActorRef } from '../journal/schema.js';
import type { UploadDocument, UploadFileDocument } from './documents.js';

const UploadFileRef = builder.objectRef<{ upload: UploadDocument; file: UploadFileDocument }>('UploadFile').implement({
  description: 'One stored file of an upload.',
  fields: (t) => ({
    name: t.string({ description: 'The name the uploader gave (NFC-normalized).', resolve: ({ file }) => file.name }),
    size: t.float({ description: 'Size in bytes.', resolve: ({ file }) => file.size }),
    contentType: t.string({ resolve: ({ file }) => file.contentType }),
    sha256: t.string({ description: 'Hex SHA-256 of the bytes, computed while they streamed in.', resolve: ({ file }) => file.sha256 }),
    downloadUrl: t.string({
      description: 'A signed link that expires (STUF_DOWNLOAD_URL_TTL_SECONDS); it works without an Authorization header.',
      resolve: async ({ upload, file }, _args, context) => {
        // Issuing the link is the download the server can see (S3 links go straight to the store): record it.
        context.access.recordDownload(upload.id);
        return context.services.downloadLinks.urlFor({ uploadId: upload.id, storedName: file.storedName, name: file.name, contentType: file.contentType });
      },
    }),
  }),
});

export const UploadRef = builder.objectRef<UploadDocument>('Upload').implement({
  description: 'A set of files uploaded together, with their governance metadata.',
  // Admins read every upload; participants their own, and others' only when stuf_config makes them visible to all.
  authScopes: (upload) => ({ readsUploadsOf: upload.uploader.id }),
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.field({ type: 'DateTime', resolve: (upload) => upload.createdAt }),
    uploader: t.field({ type: ActorRef, resolve: (upload) => upload.uploader }),
    files: t.field({ type: [UploadFileRef], resolve: (upload) => upload.files.map((file) => ({ upload, file })) }),
    metadata: t.field({ type: 'JSON', resolve: (upload) => upload.metadata }),
    legalDeclarationVersion: t.string({
      nullable: true,
      description: 'The version of the legal declaration the uploader acknowledged, if any.',
      resolve: (upload) => upload.legalDeclaration?.version ?? null,
    }),
    revision: t.exposeInt('revision'),
  }),
});

export const PageInfoRef = builder.objectRef<{ hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }>('PageInfo').implement({
  fields: (t) => ({
    hasNextPage: t.exposeBoolean('hasNextPage'),
    hasPreviousPage: t.exposeBoolean('hasPreviousPage'),
    startCursor: t.exposeString('startCursor', { nullable: true }),
    endCursor: t.exposeString('endCursor', { nullable: true }),
  }),
});

const UploadEdgeRef = builder.objectRef<{ cursor: string; node: UploadDocument }>('UploadEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: UploadRef, resolve: (edge) => edge.node }),
  }),
});

const UploadConnectionRef = builder
  .objectRef<{ edges: { cursor: string; node: UploadDocument }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number }>('UploadConnection')
  .implement({
    fields: (t) => ({
      edges: t.field({ type: [UploadEdgeRef], resolve: (connection) => connection.edges }),
      nodes: t.field({ type: [UploadRef], resolve: (connection) => connection.edges.map((edge) => edge.node) }),
      pageInfo: t.field({ type: PageInfoRef, resolve: (connection) => connection.pageInfo }),
      totalCount: t.exposeInt('totalCount', { description: 'Matches of the filter and search, across all pages.' }),
    }),
  });

const UploadFilterInput = builder.inputType('UploadFilter', {
  fields: (t) => ({
    uploaderId: t.id({ required: false }),
    createdAfter: t.field({ type: 'DateTime', required: false, description: 'Inclusive.' }),
    createdBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive.' }),
  }),
});

builder.queryFields((t) => ({
  upload: t.field({
    type: UploadRef,
    nullable: true,
    description: 'One upload, or `null` when there is none the caller may read.',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, context) => (await context.access.visible([await context.loaders.upload.load(String(id))]))[0] ?? null,
  }),
  uploads: t.field({
    type: UploadConnectionRef,
    description: 'Uploads the caller may read, newest first. `search` matches file names and metadata values, case-insensitively.',
    args: {
      first: t.arg.int({ required: false, description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: UploadFilterInput, required: false }),
      search: t.arg.string({ required: false }),
    },
    authScopes: { authenticated: true },
    resolve: async (_root, args, context) => context.services.uploads.list({ ...args, onlyUploaderId: await context.access.listRestriction() }),
  }),
}));

const CreateUploadInput = builder.inputType('CreateUploadInput', {
  fields: (t) => ({
    files: t.field({ type: ['File'], required: true }),
    metadata: t.field({
      type: 'JSON',
      required: false,
      description: 'Governance metadata: a JSON object keyed by field, checked against `uploadRequirements.fields` (see `MetadataFieldRequirement` for how answers are written).',
    }),
    legalDeclarationVersion: t.string({
      required: false,
      description: 'The version of the legal declaration the uploader acknowledges (`uploadRequirements.legalDeclaration.version`). Required when `acknowledgementRequired`.',
    }),
  }),
});

const CreateUploadPayload = builder.objectRef<{ upload: UploadDocument }>('CreateUploadPayload').implement({
  fields: (t) => ({ upload: t.field({ type: UploadRef, resolve: (payload) => payload.upload }) }),
});

builder.mutationFields((t) => ({
  createUpload: t.field({
    type: CreateUploadPayload,
    description: 'Stores files (multipart request) with their metadata. Nothing is stored when it fails.',
    args: { input: t.arg({ type: CreateUploadInput, required: true }) },
    authScopes: { authenticated: true },
    errors: { types: [ValidationError, LimitExceededError], union: { name: 'CreateUploadResult' } },
    resolve: async (_root, { input }, context) => {
      const upload = await context.services.uploads.create({
        actor: context.viewer!.actor,
        files: input.files,
        metadata: input.metadata,
        legalDeclarationVersion: input.legalDeclarationVersion,
      });
      context.access.recordUpload(upload.id);
      return { upload };
    },
  }),
}));
