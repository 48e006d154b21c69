// The public API of @poor/core. Everything not listed here is internal.
// The reference below travels into dist/index.d.ts, so a project that only installs
// @poor/core (TypeScript's default `types` is `[]`) still knows `node:http` and `Buffer`.
/// <reference types="node" preserve="true" />

export {
  Application,
  type AddOn,
  type ApplicationOptions,
  type ListenOptions,
  type MemberRegistration,
} from './application.js';
export {
  Settings,
  type FileCallback,
  type Limits,
  type Logger,
  type SettingsOptions,
  type UploadInfo,
} from './settings.js';
export type { TrustProxy } from './internal/trust.js';
export type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  Handler,
  Methods,
  RouteOptions,
  StatusHandler,
  UpgradeProtocol,
  UpgradeRequest,
} from './handlers.js';
export {
  after,
  before,
  controller,
  createGuardDecorator,
  createMemberDecorator,
  defaultHandler,
  errorHandler,
  route,
  type Controller,
  type DecoratorMethods,
  type HookOptions,
  type MemberMetadata,
  type MemberRecord,
} from './decorators.js';
export {
  Router,
  type FilterConverter,
  type RouteEntry,
  type RouteFilter,
  type RouteFunction,
  type RouteMatch,
} from './router.js';
export type {
  CheckPattern,
  CheckReturn,
  ClassDecoratorFor,
  HandlerResult,
  HandlerValue,
  MethodDecoratorFor,
  PoorFilters,
  RouteParams,
  RouteParamsObject,
  RouteRequest,
} from './route-params.js';
export { Request, type Authorization } from './request.js';
export {
  basic,
  checkBasic,
  checkDigest,
  digest,
  digestChallenges,
  MemoryNonceStore,
  type BasicVerify,
  type DigestAlgorithm,
  type DigestSettings,
  type NonceStore,
} from './digest.js';
export { hexdigest, PasswordMap, type DigestHash } from './password-map.js';
export { Fields, parseQuery, type Converter, type QueryOptions } from './fields.js';
export { UploadedFile, readForm, type FormOptions, type FormValue } from './form.js';
export {
  ContentRange,
  Headers,
  httpDate,
  parseHeader,
  parseHttpDate,
  parseNegotiation,
  parseRange,
  renderNegotiation,
  type HeaderValue,
  type HeadersInit,
  type ParsedRange,
  type RangeSpec,
} from './headers.js';
export { parseCookies, serializeCookie, type CookieOptions } from './cookies.js';
export {
  CookieSession,
  PoorSession,
  Session,
  SessionError,
  type HeaderTarget,
  type Secret,
  type SessionOptions,
  type SessionRequest,
  type SessionSource,
} from './session.js';
export {
  Declined,
  JSONResponse,
  NoContentResponse,
  NotModifiedResponse,
  PartialResponse,
  RedirectResponse,
  Response,
  TextResponse,
  type CharsetOptions,
  type JSONResponseOptions,
  type NotModifiedOptions,
  type RedirectOptions,
  type ResponseOptions,
} from './response.js';
export {
  FileResponse,
  GeneratorResponse,
  JSONGeneratorResponse,
  StreamResponse,
  contentTypeFor,
  type ChunkSource,
  type FileResponseOptions,
  type StreamOptions,
} from './stream-response.js';
export { makeResponse, UnsupportedResponseError } from './make-response.js';
export { HTTPException, abort, redirect, type HTTPExceptionExtra } from './http-error.js';
export { escapeHtml, htmlPage, reasonPhrase } from './pages.js';
export type { InjectOptions, InjectResponse } from './inject.js';
export { cors, type CorsOptions, type CorsOrigin } from './cors.js';
export { acceptedEncodings, compression, isCompressible, type Coding, type CompressionOptions } from './compression.js';
