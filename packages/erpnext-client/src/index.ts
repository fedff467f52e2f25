/**
 * `@edusync/erpnext-client`: a typed, resilient REST client for ERPNext and Frappe.
 *
 * @packageDocumentation
 */

export type {
  AuthOptions,
  BearerAuth,
  CustomAuth,
  NoAuth,
  OAuthAuth,
  SessionAuth,
  TokenAuth,
} from './auth.js'
export type {
  BulkApi,
  BulkUpdateItem,
  BulkUpdateOptions,
  BulkUpdateResult,
  BulkUpdateSummary,
  GetManyOptions,
  GetManyResult,
  InsertChunkResult,
  InsertManyOptions,
  InsertManySummary,
} from './bulk.js'
export { createClient } from './client.js'
export type { CreateDocOf, ERPNextClient, FrappeClientMethods, MethodCallOptions } from './client.js'
export {
  AuthenticationError,
  BadRequestError,
  DocumentValidationError,
  DuplicateEntryError,
  ERPNextError,
  HTTPStatusError,
  InvalidResponseError,
  isAuthenticationError,
  isBadRequestError,
  isDocumentValidationError,
  isDuplicateEntryError,
  isERPNextError,
  isHTTPStatusError,
  isInvalidResponseError,
  isLinkExistsError,
  isLinkValidationError,
  isLoginRedirectError,
  isMandatoryError,
  isNetworkError,
  isNotFoundError,
  isOAuthError,
  isPermissionError,
  isRateLimiterDisconnectedError,
  isRateLimitError,
  isResponseValidationError,
  isServerError,
  isTimeoutError,
  isTimestampMismatchError,
  isTruncatedResponseError,
  isUniqueValidationError,
  isUnknownDocTypeError,
  isUnknownFieldError,
  isUpdateAfterSubmitError,
  isValidationError,
  LinkExistsError,
  LinkValidationError,
  LoginRedirectError,
  MandatoryError,
  NetworkError,
  NotFoundError,
  OAuthError,
  PermissionError,
  RateLimiterDisconnectedError,
  RateLimitError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  TimestampMismatchError,
  TruncatedResponseError,
  UniqueValidationError,
  UnknownDocTypeError,
  UnknownFieldError,
  UpdateAfterSubmitError,
  ValidationError,
} from './errors.js'
export type {
  ERPNextErrorCode,
  ERPNextErrorDetails,
  PermissionCause,
  RedactedRequest,
  ServerMessage,
  ValidationIssue,
} from './errors.js'
export { createRateLimiter } from './limiter.js'
export type { RateLimiter, RateLimiterOptions, RedisClientLike, ScheduleOptions } from './limiter.js'
export { diffDocTypeMeta } from './meta.js'
export type { DocTypeDrift, DocTypeMeta, DriftReport, FieldMeta, RetypedField } from './meta.js'
export { createOAuthFlow, pkceChallenge } from './oauth.js'
export type { OAuthFlow, OAuthFlowOptions, OAuthTokens, PkcePair } from './oauth.js'
export { DEFAULT_SAFE_METHODS } from './options.js'
export type {
  ClientOptions,
  Clock,
  DocTypeSchemas,
  SchemaRegistryLike,
  Hooks,
  Logger,
  RequestInfo,
  ResponseInfo,
  RetryInfo,
  RetryOptions,
  ValidationMode,
} from './options.js'
export type {
  CallOptions,
  IterateOptions,
  ListOptions,
  Resource,
  WriteOptions,
} from './resource.js'
export { decodeServerMessages, parseRetryAfter } from './response.js'
export type {
  CustomDocFieldSpec,
  CustomDocTypeSpec,
  CustomFieldSpec,
  CustomizationItem,
  CustomizationReport,
  CustomizationSpec,
  EnsureOptions,
} from './setup.js'
export type { HttpMethod } from './transport.js'
export type {
  AnyDoc,
  ChildFilterTuple,
  ChildRow,
  ComparisonOperator,
  DocPatch,
  DocOf,
  DocTypeMapLike,
  DocTypeName,
  FieldSelector,
  FilterObject,
  FilterOperator,
  FilterScalar,
  FilterTuple,
  Filters,
  FilterValue,
  NewDoc,
  SelectResult,
  SelectedField,
  TableField,
  Timespan,
  UntypedDocTypeMap,
  ValueField,
} from './types.js'
