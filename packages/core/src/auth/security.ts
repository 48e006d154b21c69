// How a guard authenticates, said by the guard itself, so that tools reading the routes (the
// OpenAPI document of @poor/openapi) can name the security schemes without a second source.

/**
 * How a guard authenticates: a scheme name and an OpenAPI Security Scheme Object
 * (`{ type: 'http', scheme: 'digest' }`, `{ type: 'apiKey', in: 'header', name: 'X-API-Key' }`).
 */
export interface GuardSecurity {
  /** The scheme's name in a document's `components.securitySchemes`. */
  readonly name: string;
  /** The Security Scheme Object. */
  readonly scheme: Readonly<Record<string, unknown>>;
}

const kSecurity = Symbol('poor.security');

/** Marks a guard with how it authenticates (for generated API documents); returns the guard. */
export function describeSecurity<G extends object>(guard: G, security: GuardSecurity): G {
  Object.defineProperty(guard, kSecurity, { value: security });
  return guard;
}

/** How a guard authenticates, if it says ({@link describeSecurity}; `digest`, `basic` and `apiKey` do). */
export function securityOf(guard: unknown): GuardSecurity | undefined {
  return typeof guard === 'function' ? (guard as { [kSecurity]?: GuardSecurity })[kSecurity] : undefined;
}
