// The named phases of a request's life (ARCHITECTURE.md, "One request"): what users and
// add-ons register hooks for, and the hook lists of one scope. The pipeline (./pipeline.ts)
// runs them in the order of PHASES; nothing gets its turn by registering early.
import type { AfterHook, BeforeHook, Phase, ScopedPhase } from '../routing/handlers.js';

/** Every phase, in the order a request goes through them. */
export const PHASES: readonly Phase[] = [
  'onRequest',
  'guard',
  'preValidation',
  'validation',
  'preHandler',
  'onSend',
  'onResponse',
];

/** The phases between the guards and the handler that run after the body is parsed, in order. */
export const HANDLER_PHASES = ['preValidation', 'validation', 'preHandler'] as const;

/** The phases before the handler that a scope holds: the guards, then {@link HANDLER_PHASES}. */
export const PRE_PHASES = ['guard', ...HANDLER_PHASES] as const;

/** Every phase a controller or a route may hold hooks of its own for (the others are app-wide). */
export const SCOPED_PHASES: readonly ScopedPhase[] = [...PRE_PHASES, 'onSend'];

/** Is `value` the name of a phase? */
export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

/** Does a scope hold hooks of `phase` (or only the app, for onRequest and onResponse)? */
export function isScoped(phase: Phase): phase is ScopedPhase {
  return (SCOPED_PHASES as readonly string[]).includes(phase);
}

/**
 * The hooks of one scope: the whole application, one controller's routes, or one route. A
 * route's scope points to its controller's (`parent`), whose hooks run before its own.
 */
export class HookScope {
  /** `application`, the controller's class name, or the route handler's name. */
  readonly name: string;
  /** The controller scope of a route with hooks of its own. */
  readonly parent: HookScope | undefined;
  /** Phase guard (step 4). */
  readonly guard: BeforeHook[] = [];
  /** Phase preValidation (step 6). */
  readonly preValidation: BeforeHook[] = [];
  /** Phase validation (step 7). */
  readonly validation: BeforeHook[] = [];
  /** Phase preHandler (step 8). */
  readonly preHandler: BeforeHook[] = [];
  /** Phase onSend (step 10). */
  readonly onSend: AfterHook[] = [];
  /** Does this scope (or its parent) hold a hook of steps 4 and 6–8? Kept by HandlerTables: the pipeline's fast-path test. */
  pre = false;
  /** Does this scope (or its parent) hold an onSend hook? */
  post = false;

  constructor(name: string, parent?: HookScope) {
    this.name = name;
    this.parent = parent;
  }

  /** Recomputes `pre` and `post` (after a hook was added or removed here or in the parent). */
  rescan(): void {
    const parent = this.parent;
    this.pre = PRE_PHASES.some((phase) => this[phase].length > 0) || (parent !== undefined && parent.pre);
    this.post = this.onSend.length > 0 || (parent !== undefined && parent.post);
  }
}
