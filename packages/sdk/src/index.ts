/**
 * @stuf/sdk — a typed client for STUF's GraphQL API. This entry has no Node-only imports (browsers, Node ≥ 20,
 * Deno, Bun); Node helpers for files on disk and streams are in `@stuf/sdk/node`.
 */
export {
  createStufClient,
  type ConfigVersion,
  type CreateUploadOptions,
  type CreateUploadResult,
  type Document,
  type Health,
  type ImportUsersResult,
  type MetadataFieldRequirement,
  type RequestOptions,
  type StufClient,
  type StufClientOptions,
  type UpdateMetadataConfigResult,
  type UpdateStufConfigResult,
  type Upload,
  type UploadConnection,
  type UploadFile,
  type UploadProgress,
  type UploadRequirements,
  type Viewer,
} from './client.js';
export { isStufError, StufError, type GraphQLErrorShape, type StufErrorCode, type StufErrorDetails } from './errors.js';
export { isStufFile, STUF_FILE, type FileInput, type StufFile } from './files.js';
export { DEFAULT_RETRY, type RetryOptions } from './retry.js';
export {
  ConfigHistoryDocument,
  CreateUploadDocument,
  HealthDocument,
  MeDocument,
  MetadataConfigDocument,
  StufConfigDocument,
  TypedDocumentString,
  UpdateMetadataConfigDocument,
  UpdateStufConfigDocument,
  UploadDocument,
  UploadRequirementsDocument,
  UploadsDocument,
  type ConfigDocument,
  type CreateUploadInput,
  type CreateUploadMutation,
  type CreateUploadMutationVariables,
  type HealthQuery,
  type LimitName,
  type MeQuery,
  type MetadataFieldKind,
  type UpdateMetadataConfigInput,
  type UpdateStufConfigInput,
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
