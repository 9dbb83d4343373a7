/**
 * @stuf/sdk — a typed client for STUF's GraphQL API. This entry has no Node-only imports (browsers, Node ≥ 20,
 * Deno, Bun); Node helpers for files on disk and streams are in `@stuf/sdk/node`.
 */
export {
  createStufClient,
  type CreateUploadOptions,
  type CreateUploadResult,
  type Document,
  type Health,
  type RequestOptions,
  type StufClient,
  type StufClientOptions,
  type Upload,
  type UploadConnection,
  type UploadFile,
  type UploadProgress,
  type Viewer,
} from './client.js';
export { isStufError, StufError, type GraphQLErrorShape, type StufErrorCode, type StufErrorDetails } from './errors.js';
export { isStufFile, STUF_FILE, type FileInput, type StufFile } from './files.js';
export { DEFAULT_RETRY, type RetryOptions } from './retry.js';
export {
  CreateUploadDocument,
  HealthDocument,
  MeDocument,
  StufConfigDocument,
  TypedDocumentString,
  UploadDocument,
  UploadsDocument,
  type CreateUploadInput,
  type CreateUploadMutation,
  type CreateUploadMutationVariables,
  type HealthQuery,
  type LimitName,
  type MeQuery,
  type StufConfigQuery,
  type UploadFilter,
  type UploadQuery,
  type UploadQueryVariables,
  type UploadsQuery,
  type UploadsQueryVariables,
} from './generated/graphql.js';
/** Users, sign-in, API tokens and key rotation: typed documents for `client.request(document, variables)`. */
export {
  CreateApiTokenDocument,
  CreateUserDocument,
  DeleteUserDocument,
  ImportUsersDocument,
  RequestSignInDocument,
  RevokeApiTokenDocument,
  RotateEncryptionKeyDocument,
  UpdateUserDocument,
  UserDocument,
  UsersDocument,
  VerifyEmailCodeDocument,
  VerifySmsCodeDocument,
} from './generated/graphql.js';
/** Every generated type (schema types, operations), for documents you write yourself. */
export type * as GraphQL from './generated/graphql.js';
