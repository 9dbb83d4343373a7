import { builder } from '../../builder.js';
import { ResourceNotFoundError, ValidationError } from '../../errors.js';
import { ErrorInterface } from '../../errors-schema.js';
import { ActorRef } from '../journal/schema.js';
import { ApiTokenRef, UserRef } from '../users/schema.js';
import type { ApiTokenRecord, UserRecord } from '../users/documents.js';
import { AccountInactiveError, InvalidCodeError, RateLimitedError, SignInLockedError } from './errors.js';
import type { Viewer } from './service.js';
import type { SmsStep } from './sign-in.js';

const ViewerRef = builder.objectRef<Viewer>('Viewer').implement({
  description: 'The authenticated caller.',
  fields: (t) => ({
    actor: t.field({ type: ActorRef, resolve: (viewer) => viewer.actor }),
    role: t.exposeString('role', { description: '`admin` or `participant`.' }),
    via: t.exposeString('via', { description: 'How the caller authenticated: `admin-token`, `session` or `api-token`.' }),
    user: t.field({
      type: UserRef,
      // The viewer always reads themselves (contact fields stay admins-only).
      resolve: async (viewer, _args, context) => (await context.loaders.user.load(viewer.userId))!,
    }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({ type: ViewerRef, authScopes: { authenticated: true }, resolve: (_root, _args, context) => context.viewer! }),
}));

builder.objectType(InvalidCodeError, { name: 'InvalidCodeError', interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof InvalidCodeError, fields: () => ({}) });
builder.objectType(AccountInactiveError, { name: 'AccountInactiveError', interfaces: [ErrorInterface], isTypeOf: (value) => value instanceof AccountInactiveError, fields: () => ({}) });
builder.objectType(SignInLockedError, {
  name: 'SignInLockedError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof SignInLockedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});
builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

const RequestSignInInput = builder.inputType('RequestSignInInput', { fields: (t) => ({ email: t.string({ required: true }) }) });
const VerifyEmailCodeInput = builder.inputType('VerifyEmailCodeInput', { fields: (t) => ({ email: t.string({ required: true }), code: t.string({ required: true }) }) });
const VerifySmsCodeInput = builder.inputType('VerifySmsCodeInput', {
  fields: (t) => ({ ticket: t.string({ required: true, description: 'From `verifyEmailCode`.' }), code: t.string({ required: true }) }),
});

const RequestSignInPayload = builder.objectRef<{ message: string }>('RequestSignInPayload').implement({
  description: 'The same answer whether or not the address belongs to a user.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const VerifyEmailCodePayload = builder.objectRef<SmsStep>('VerifyEmailCodePayload').implement({
  fields: (t) => ({
    ticket: t.exposeString('ticket', { description: 'Pass to `verifySmsCode` with the SMS code.' }),
    phoneHint: t.exposeString('phoneHint', { description: 'The last two digits of the phone the SMS went to.' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (step) => step.expiresAt }),
  }),
});

const SignInSessionRef = builder.objectRef<{ token: string; expiresAt: Date; user: UserRecord }>('SignInSession').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'Send as `Authorization: Bearer <token>` until `expiresAt`.' }),
    expiresAt: t.field({ type: 'DateTime', resolve: (session) => session.expiresAt }),
    userId: t.id({ resolve: (session) => session.user.id }),
    role: t.string({ resolve: (session) => session.user.role }),
  }),
});

const signInErrors = [ValidationError, InvalidCodeError, SignInLockedError, RateLimitedError, AccountInactiveError];

builder.mutationFields((t) => ({
  requestSignIn: t.field({
    type: RequestSignInPayload,
    description: 'Sign-in step 1 (no token needed): emails a one-time code if the address belongs to a user who may sign in.',
    skipTypeScopes: true,
    args: { input: t.arg({ type: RequestSignInInput, required: true }) },
    errors: { types: [ValidationError, SignInLockedError, RateLimitedError], union: { name: 'RequestSignInResult' } },
    resolve: async (_root, { input }, context) => {
      await context.services.signIn.requestSignIn(input.email, context.client);
      return { message: 'If this address belongs to a participant, a sign-in code is on its way.' };
    },
  }),
  verifyEmailCode: t.field({
    type: VerifyEmailCodePayload,
    description: 'Sign-in step 2: checks the email code and sends a code by SMS to the registered phone.',
    skipTypeScopes: true,
    args: { input: t.arg({ type: VerifyEmailCodeInput, required: true }) },
    errors: { types: signInErrors, union: { name: 'VerifyEmailCodeResult' } },
    resolve: (_root, { input }, context) => context.services.signIn.verifyEmailCode(input.email, input.code, context.client),
  }),
  verifySmsCode: t.field({
    type: SignInSessionRef,
    description: 'Sign-in step 3: checks the SMS code and answers a short-lived session token.',
    skipTypeScopes: true,
    args: { input: t.arg({ type: VerifySmsCodeInput, required: true }) },
    errors: { types: signInErrors, union: { name: 'VerifySmsCodeResult' } },
    resolve: (_root, { input }, context) => context.services.signIn.verifySmsCode(input.ticket, input.code, context.client),
  }),
}));

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    userId: t.id({ required: true, description: 'The user the token acts as.' }),
    label: t.string({ required: true }),
    expiresAt: t.field({ type: 'DateTime', required: false }),
  }),
});

type TokenPayload = { apiToken: ApiTokenRecord; userId: string };

const CreateApiTokenPayload = builder.objectRef<TokenPayload & { token: string }>('CreateApiTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret: shown only now, store it safely.' }),
    apiToken: t.field({ type: ApiTokenRef, resolve: (payload) => ({ ...payload.apiToken, userId: payload.userId }) }),
  }),
});

const RevokeApiTokenPayload = builder.objectRef<TokenPayload>('RevokeApiTokenPayload').implement({
  fields: (t) => ({ apiToken: t.field({ type: ApiTokenRef, resolve: (payload) => ({ ...payload.apiToken, userId: payload.userId }) }) }),
});

builder.mutationFields((t) => ({
  createApiToken: t.field({
    type: CreateApiTokenPayload,
    description: 'Issues an API token acting as `userId`; the secret is in the answer only. Admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    errors: { types: [ValidationError, ResourceNotFoundError], union: { name: 'CreateApiTokenResult' } },
    resolve: (_root, { input }, context) =>
      context.services.apiTokens.create(context.viewer!.actor, { userId: String(input.userId), label: input.label, expiresAt: input.expiresAt ?? null }),
  }),
  revokeApiToken: t.field({
    type: RevokeApiTokenPayload,
    description: 'Revokes an API token: refused from the next request on. Admins only.',
    authScopes: { admin: true },
    args: { id: t.arg.id({ required: true }) },
    errors: { types: [ResourceNotFoundError], union: { name: 'RevokeApiTokenResult' } },
    resolve: (_root, { id }, context) => context.services.apiTokens.revoke(context.viewer!.actor, String(id)),
  }),
}));
