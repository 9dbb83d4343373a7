import { builder } from './builder.js';
import { LimitExceededError, ResourceNotFoundError, RevisionConflictError, StufError, ValidationError, type ValidationIssue } from './errors.js';

/** Every typed failure implements `Error`, so clients can always select `message` and `code`. */
export const ErrorInterface = builder.interfaceRef<StufError>('Error').implement({
  description: 'An expected failure. `code` is stable and safe to branch on.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code'),
  }),
});

const PathSegment = builder.scalarType('PathSegment', {
  description: 'A field name or a list index in an input path.',
  serialize: (value) => value,
  parseValue: (value) => value as string | number,
});

export const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  fields: (t) => ({
    path: t.field({ type: [PathSegment], resolve: (issue) => issue.path }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ issues: t.field({ type: [ValidationIssueRef], resolve: (error) => error.issues }) }),
});

const LimitNameEnum = builder.enumType('LimitName', { values: ['FILE_SIZE', 'FILE_COUNT', 'METADATA_SIZE'] as const });

builder.objectType(LimitExceededError, {
  name: 'LimitExceededError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof LimitExceededError,
  fields: (t) => ({
    limit: t.field({ type: LimitNameEnum, resolve: (error) => error.limit }),
    maximum: t.float({ description: 'The limit (bytes for sizes, a count for counts).', resolve: (error) => error.maximum }),
    path: t.field({ type: [PathSegment], resolve: (error) => error.path }),
  }),
});

builder.objectType(ResourceNotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ResourceNotFoundError,
  fields: (t) => ({
    resourceType: t.exposeString('resourceType', { description: 'What was looked for, e.g. `user`.' }),
    id: t.exposeID('id'),
  }),
});

builder.objectType(RevisionConflictError, {
  name: 'RevisionConflictError',
  interfaces: [ErrorInterface],
  description: 'The given `revision` is stale. Re-read the resource and retry with `currentRevision`.',
  isTypeOf: (value) => value instanceof RevisionConflictError,
  fields: (t) => ({ currentRevision: t.exposeInt('currentRevision') }),
});
