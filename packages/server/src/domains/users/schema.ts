import { builder } from '../../builder.js';
import type { Context } from '../../context.js';
import { LimitExceededError, ResourceNotFoundError, RevisionConflictError, ValidationError } from '../../errors.js';
import { ErrorInterface, ValidationIssueRef } from '../../errors-schema.js';
import { PageInfoRef } from '../uploads/schema.js';
import { effectiveStatus, type AccessEvent, type ApiTokenRecord, type Role, type UserRecord, type UserStatus } from './documents.js';
import { EmailTakenError, SelfLockoutError } from './errors.js';
import { importUsersCsv, MAX_IMPORT_BYTES, type ImportReport, type ImportRowReport } from './import.js';
import { readUpTo } from './read-file.js';
import { assertSomethingToChange } from './service.js';
import { parseNewUser } from './validation.js';

export const RoleEnum = builder.enumType('Role', {
  values: { ADMIN: { value: 'admin' as Role }, PARTICIPANT: { value: 'participant' as Role } } as const,
});

export const UserStatusEnum = builder.enumType('UserStatus', {
  description: '`EXPIRED` also applies to invited or active users whose `accessExpiresAt` has passed.',
  values: {
    INVITED: { value: 'invited' as UserStatus, description: 'Created; has not signed in yet (may sign in).' },
    ACTIVE: { value: 'active' as UserStatus },
    SUSPENDED: { value: 'suspended' as UserStatus, description: 'Refused everywhere until reactivated.' },
    EXPIRED: { value: 'expired' as UserStatus, description: 'Refused everywhere.' },
  } as const,
});

const AccessEventKindEnum = builder.enumType('AccessEventKind', {
  values: {
    SIGN_IN: { value: 'sign-in' as AccessEvent['event'] },
    UPLOAD: { value: 'upload' as AccessEvent['event'] },
    DOWNLOAD: { value: 'download' as AccessEvent['event'], description: 'A download link was issued to the user.' },
    TOKEN_USE: { value: 'token-use' as AccessEvent['event'], description: 'An API token authenticated a request (at most once a minute per token).' },
  } as const,
});

const AccessEventRef = builder.objectRef<AccessEvent>('AccessEvent').implement({
  fields: (t) => ({
    time: t.field({ type: 'DateTime', resolve: (event) => event.time }),
    event: t.field({ type: AccessEventKindEnum, resolve: (event) => event.event }),
    ip: t.exposeString('ip', { nullable: true }),
    userAgent: t.exposeString('userAgent', { nullable: true }),
    uploadId: t.exposeID('uploadId', { nullable: true }),
    tokenId: t.exposeID('tokenId', { nullable: true }),
  }),
});

export const ApiTokenRef = builder.objectRef<ApiTokenRecord & { userId: string }>('ApiToken').implement({
  description: 'An API token (its secret is shown once, when it is created, and stored only as a hash).',
  fields: (t) => ({
    id: t.exposeID('id'),
    label: t.exposeString('label'),
    userId: t.exposeID('userId'),
    createdAt: t.field({ type: 'DateTime', resolve: (token) => token.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.expiresAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (token) => token.revokedAt }),
    lastUsedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Updated at most once a minute.',
      resolve: async (token, _args, context) => (await context.services.users.document(token.userId))?.activity.apiTokensLastUsedAt[token.id] ?? null,
    }),
  }),
});

/** Decrypts one contact field (admins only: the field's scope). */
async function contactOf(user: UserRecord, field: 'email' | 'phone', context: Context): Promise<string | null> {
  return (await context.services.users.directory()).contact(user)[field];
}

export const UserRef = builder.objectRef<UserRecord>('User').implement({
  description: 'A participant or admin (Trust Architect). Contact fields are admins-only.',
  authScopes: (user) => ({ $any: { admin: true, self: user.id } }),
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    email: t.string({ nullable: true, authScopes: { admin: true }, resolve: (user, _args, context) => contactOf(user, 'email', context) }),
    phone: t.string({ nullable: true, authScopes: { admin: true }, resolve: (user, _args, context) => contactOf(user, 'phone', context) }),
    role: t.field({ type: RoleEnum, resolve: (user) => user.role }),
    status: t.field({ type: UserStatusEnum, description: 'The status in force now (see `UserStatus`).', resolve: (user) => effectiveStatus(user) }),
    accessExpiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (user) => user.accessExpiresAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (user) => user.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (user) => user.updatedAt }),
    revision: t.exposeInt('revision', { description: 'Incremented by every edit; pass it to `updateUser`/`deleteUser`.' }),
    accessHistory: t.field({
      type: [AccessEventRef],
      description: 'Recent sign-ins, uploads, downloads and token uses, newest first (bounded).',
      resolve: async (user, _args, context) => [...((await context.services.users.document(user.id))?.activity.accessHistory ?? [])].reverse(),
    }),
    apiTokens: t.field({
      type: [ApiTokenRef],
      authScopes: { admin: true },
      resolve: (user) => user.apiTokens.map((token) => ({ ...token, userId: user.id })),
    }),
  }),
});

const UserEdgeRef = builder.objectRef<{ cursor: string; node: UserRecord }>('UserEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: UserRef, resolve: (edge) => edge.node }),
  }),
});

type UserPage = { edges: { cursor: string; node: UserRecord }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };

const UserConnectionRef = builder.objectRef<UserPage>('UserConnection').implement({
  fields: (t) => ({
    edges: t.field({ type: [UserEdgeRef], resolve: (connection) => connection.edges }),
    nodes: t.field({ type: [UserRef], resolve: (connection) => connection.edges.map((edge) => edge.node) }),
    pageInfo: t.field({ type: PageInfoRef, resolve: (connection) => connection.pageInfo }),
    totalCount: t.exposeInt('totalCount', { description: 'Matches of the filter and search, across all pages.' }),
  }),
});

const UserFilterInput = builder.inputType('UserFilter', {
  fields: (t) => ({
    status: t.field({ type: UserStatusEnum, required: false }),
    role: t.field({ type: RoleEnum, required: false }),
  }),
});

builder.queryFields((t) => ({
  users: t.field({
    type: UserConnectionRef,
    description: 'Users, newest first. `search` matches name, email and phone, case-insensitively. Admins only.',
    authScopes: { admin: true },
    args: {
      first: t.arg.int({ required: false, description: 'Page size, 0–100 (default 20).' }),
      after: t.arg.string({ required: false }),
      filter: t.arg({ type: UserFilterInput, required: false }),
      search: t.arg.string({ required: false }),
    },
    resolve: (_root, args, context) => context.services.users.list(args),
  }),
  user: t.field({
    type: UserRef,
    nullable: true,
    description: 'One user, or `null`. Admins only.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => context.loaders.user.load(String(id)),
  }),
}));

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string({ required: true, description: 'Unique (compared case-insensitively); stored encrypted.' }),
    phone: t.string({ required: true, description: 'For the SMS sign-in code, e.g. +41791234567; stored encrypted.' }),
    role: t.field({ type: RoleEnum, required: true }),
    accessExpiresAt: t.field({ type: 'DateTime', required: false, description: 'After this time the user is refused everywhere.' }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Only the given fields change. `accessExpiresAt: null` removes the expiry.',
  fields: (t) => ({
    id: t.id({ required: true }),
    revision: t.int({ required: true, description: 'The revision the edit is based on; a stale one gives `RevisionConflictError`.' }),
    name: t.string({ required: false }),
    email: t.string({ required: false }),
    phone: t.string({ required: false }),
    role: t.field({ type: RoleEnum, required: false }),
    status: t.field({ type: UserStatusEnum, required: false }),
    accessExpiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

const DeleteUserInput = builder.inputType('DeleteUserInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    revision: t.int({ required: false, description: 'When given, the user is deleted only if this is still its revision.' }),
  }),
});

const UserPayload = (name: string) =>
  builder.objectRef<{ user: UserRecord }>(name).implement({ fields: (t) => ({ user: t.field({ type: UserRef, resolve: (payload) => payload.user }) }) });

const CreateUserPayload = UserPayload('CreateUserPayload');
const UpdateUserPayload = UserPayload('UpdateUserPayload');
const DeleteUserPayload = builder.objectRef<{ id: string }>('DeleteUserPayload').implement({ fields: (t) => ({ id: t.exposeID('id') }) });

builder.objectType(EmailTakenError, { name: 'EmailTakenError', interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof EmailTakenError, fields: () => ({}) });
builder.objectType(SelfLockoutError, { name: 'SelfLockoutError', interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof SelfLockoutError, fields: () => ({}) });

const ImportRowStatusEnum = builder.enumType('ImportUsersRowStatus', {
  values: {
    CREATED: { value: 'CREATED' as const },
    WOULD_CREATE: { value: 'WOULD_CREATE' as const, description: 'Valid; a dry run creates nothing.' },
    DUPLICATE: { value: 'DUPLICATE' as const, description: 'The email belongs to an existing user or an earlier row.' },
    INVALID: { value: 'INVALID' as const },
  },
});

const ImportRowRef = builder.objectRef<ImportRowReport>('ImportUsersRow').implement({
  fields: (t) => ({
    line: t.exposeInt('line', { description: 'Line in the file; the header is line 1.' }),
    status: t.field({ type: ImportRowStatusEnum, resolve: (row) => row.status }),
    userId: t.exposeID('userId', { nullable: true, description: 'The created user, or the existing one a duplicate matches.' }),
    message: t.exposeString('message', { nullable: true }),
    issues: t.field({ type: [ValidationIssueRef], resolve: (row) => row.issues }),
  }),
});

const ImportUsersPayload = builder.objectRef<ImportReport>('ImportUsersPayload').implement({
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun'),
    total: t.exposeInt('total', { description: 'Data rows in the file.' }),
    created: t.exposeInt('created'),
    rows: t.field({ type: [ImportRowRef], description: 'One report per data row, in file order.', resolve: (report) => report.rows }),
    problems: t.field({ type: [ImportRowRef], description: 'The rows that were not (or would not be) created.', resolve: (report) => report.rows.filter((row) => row.status === 'DUPLICATE' || row.status === 'INVALID') }),
  }),
});

builder.mutationFields((t) => ({
  createUser: t.field({
    type: CreateUserPayload,
    description: 'Creates a user (status `INVITED` until their first sign-in). Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    errors: { types: [ValidationError, EmailTakenError], union: { name: 'CreateUserResult' } },
    resolve: async (_root, { input }, context) => ({ user: await context.services.users.create(context.viewer!.actor, parseNewUser({ ...input, accessExpiresAt: input.accessExpiresAt ?? null })) }),
  }),
  updateUser: t.field({
    type: UpdateUserPayload,
    description: 'Edits a user, if `revision` is current. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    errors: { types: [ValidationError, ResourceNotFoundError, RevisionConflictError, EmailTakenError, SelfLockoutError], union: { name: 'UpdateUserResult' } },
    resolve: async (_root, { input }, context) => {
      const { id, revision, ...patch } = input;
      assertSomethingToChange(patch);
      return { user: await context.services.users.update(context.viewer!.actor, { ...patch, id: String(id), revision }) };
    },
  }),
  deleteUser: t.field({
    type: DeleteUserPayload,
    description: 'Deletes a user (their uploads stay). Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: DeleteUserInput, required: true }) },
    errors: { types: [ResourceNotFoundError, RevisionConflictError, SelfLockoutError], union: { name: 'DeleteUserResult' } },
    resolve: async (_root, { input }, context) => ({ id: (await context.services.users.delete(context.viewer!.actor, { id: String(input.id), revision: input.revision })).id }),
  }),
  importUsers: t.field({
    type: ImportUsersPayload,
    description: `Creates users from a CSV file (multipart request; header \`name,email,phone,role,expiry\`, at most ${MAX_IMPORT_BYTES} bytes) with a report per row. Duplicates by email are reported, not created. Admins only.`,
    authScopes: { admin: true },
    args: { file: t.arg({ type: 'File', required: true }), dryRun: t.arg.boolean({ required: false, defaultValue: false }) },
    errors: { types: [ValidationError, LimitExceededError], union: { name: 'ImportUsersResult' } },
    resolve: async (_root, { file, dryRun }, context) => {
      const bytes = await readUpTo((await file).createReadStream(), MAX_IMPORT_BYTES);
      return importUsersCsv(context.services.users, context.viewer!.actor, bytes, dryRun ?? false);
    },
  }),
}));
