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
} from './app/application.js';
export {
  Settings,
  type ErrorFormat,
  type FileCallback,
  type Limits,
  type Logger,
  type SettingsOptions,
  type UploadInfo,
} from './settings/settings.js';
export type { TrustProxy } from './http/trust.js';
export type {
  AfterHook,
  BeforeHook,
  ClassHandler,
  ErrorClass,
  Fallback,
  Handler,
  Methods,
  Phase,
  PhaseHooks,
  ResponseHook,
  RouteHooks,
  RouteOptions,
  ScopedPhase,
  StatusHandler,
  UpgradeProtocol,
  UpgradeRequest,
} from './routing/handlers.js';
export { PHASES } from './lifecycle/phases.js';
export {
  after,
  before,
  controller,
  createGuardDecorator,
  createMemberDecorator,
  defaultHandler,
  errorHandler,
  guard,
  hook,
  route,
  type Controller,
  type DecoratorMethods,
  type HookOptions,
  type PhaseHook,
  type PhaseHookOptions,
  type MemberMetadata,
  type MemberRecord,
} from './decorators/decorators.js';
export { Router, type RouteEntry, type RouteFunction, type RouteMatch } from './routing/router.js';
export { type FilterConverter, type RouteFilter } from './routing/filters.js';
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
} from './routing/route-params.js';
export { Request, type Decoration, type RequestDecorations } from './request/request.js';
export { RequestHead } from './request/request-head.js';
export type { Authorization } from './http/auth-params.js';
export type { RequestApp } from './request/request-app.js';
export {
  basic,
  checkBasic,
  checkDigest,
  digest,
  digestChallenges,
  type BasicVerify,
  type DigestSettings,
} from './auth/digest.js';
export { apiKey, type ApiKeyOptions } from './auth/api-key.js';
export { describeSecurity, securityOf, type GuardSecurity } from './auth/security.js';
export { MemoryNonceStore, type DigestAlgorithm, type NonceStore } from './settings/nonce-store.js';
export { hexdigest, PasswordMap, type DigestHash } from './settings/password-map.js';
export { Fields, parseQuery, type Converter, type QueryOptions } from './request/fields.js';
export { UploadedFile, readForm, type FormOptions, type FormSource, type FormValue } from './request/form.js';
export { ContentRange, parseRange, type ParsedRange, type RangeSpec } from './http/ranges.js';
export {
  Headers,
  parseHeader,
  parseNegotiation,
  renderNegotiation,
  type HeaderValue,
  type HeadersInit,
} from './http/headers.js';
export { httpDate, parseHttpDate } from './http/dates.js';
export { parseCookies, serializeCookie, type CookieOptions } from './http/cookies.js';
export {
  CookieSession,
  PoorSession,
  Session,
  SessionError,
  SessionKeys,
  type HeaderTarget,
  type Secret,
  type SessionOptions,
  type SessionRequest,
  type SessionSource,
} from './auth/session.js';
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
} from './response/response.js';
export {
  FileResponse,
  GeneratorResponse,
  JSONGeneratorResponse,
  StreamResponse,
  contentTypeFor,
  type ChunkSource,
  type FileResponseOptions,
  type StreamOptions,
} from './response/stream-response.js';
export { makeResponse, UnsupportedResponseError } from './response/make-response.js';
export { HTTPException, abort, redirect, type HTTPExceptionExtra } from './response/http-error.js';
export { escapeHtml, htmlPage } from './pages/pages.js';
export { ProblemResponse, reasonPhrase, type ProblemDetails, type ProblemOptions } from './response/problem.js';
export type { InjectOptions, InjectResponse } from './app/inject.js';
export { cors, type CorsOptions, type CorsOrigin } from './addons/cors.js';
export { sessions, type SessionsOptions } from './addons/sessions.js';
export type { RequestSession, SessionData } from './request/session-types.js';
export {
  acceptedEncodings,
  compression,
  isCompressible,
  type Coding,
  type CompressionOptions,
} from './addons/compression.js';
export {
  MemoryRateLimitStore,
  rateLimit,
  rateLimited,
  type MemoryRateLimitStoreOptions,
  type RateLimitCount,
  type RateLimitGuard,
  type RateLimitOptions,
  type RateLimitStore,
} from './addons/rate-limit.js';
