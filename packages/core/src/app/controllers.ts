// Controller compilation: what the decorators recorded → the calls the function API makes.
// Hooks are bound when the controller is registered (so `popBefore(Class.prototype.x)` finds
// them at once); every other member waits until the application gets ready, so the order of
// `app.use()`, `app.setFilter()`, `app.register()` and decorators does not matter.
import {
  readControllerMetadata,
  type Controller,
  type MemberMetadata,
  type PhaseHook,
  type PhaseHookOptions,
} from '../decorators/decorators.js';
import type { HookScope } from '../lifecycle/phases.js';
import type {
  Handler,
  Methods,
  Phase,
  RouteHooks,
  RouteOptions,
  ScopedPhase,
  StatusHandler,
} from '../routing/handlers.js';
import type { RouteFunction } from '../routing/router.js';
import type { HandlerTables } from '../lifecycle/tables.js';

/** What an add-on receives for a member decorated with its own decorator kind. */
export interface MemberRegistration {
  /** Route pattern, controller prefix included. */
  pattern: string;
  /** The bound method; the controller's hooks apply to it wherever it is registered. */
  handler: RouteFunction;
  /** Methods given to the decorator. */
  methods: Methods | undefined;
  /** Decorator options. */
  options: unknown;
  /** The controller's name (its class name), e.g. for documentation tags. */
  controller: string;
}

/** A registered controller whose members are not compiled yet. */
export interface BoundController {
  readonly name: string;
  readonly prefix: string;
  readonly scope: HookScope;
  readonly members: ReadonlyArray<{ item: MemberMetadata; handler: RouteFunction }>;
}

/** The function API compiled members go through. */
export interface CompileTarget {
  route(pattern: string, handler: Handler, methods?: Methods | RouteOptions): unknown;
  errorHandler(target: number, handler: StatusHandler, methods?: Methods): unknown;
  defaultHandler(handler: Handler, methods?: Methods): unknown;
}

/** The phase of the hook kinds `@before()` and `@after()` record. */
const PHASE_OF: Partial<Record<string, Phase>> = { before: 'guard', after: 'onSend' };

/** Instantiates a controller, binds its decorated methods and installs its hooks. */
export function bindController(controller: Controller, tables: HandlerTables): BoundController {
  const instance = typeof controller === 'function' ? new (controller as new () => object)() : controller;
  const metadata = readControllerMetadata(instance.constructor as new () => object);
  const scope = tables.createScope(metadata.name);
  // A guard on the class (`@checkDigest` above `class`) comes first in the controller's hooks.
  for (const { phase, hook } of metadata.guards) tables.addHook(scope, phase, hook as never);
  if (metadata.members.length === 0 && metadata.guards.length === 0) {
    throw new TypeError(
      `${metadata.name} has no decorated members (@route, @errorHandler, @before, …): nothing to register`,
    );
  }
  const source = instance as Record<string | symbol, unknown>;
  const members: Array<{ item: MemberMetadata; handler: RouteFunction }> = [];
  for (const item of metadata.members) {
    const method = source[item.key];
    if (typeof method !== 'function') {
      throw new TypeError(`${metadata.name}.${String(item.key)} is decorated but is not a method`);
    }
    const handler = method.bind(instance) as RouteFunction;
    Object.defineProperty(handler, 'name', { value: `${metadata.name}.${String(item.key)}` });
    const phase = PHASE_OF[item.kind] ?? (item.kind === 'hook' ? (item.options as PhaseHookOptions).phase : undefined);
    if (phase !== undefined) {
      const target = (item.options as PhaseHookOptions | undefined)?.scope === 'app' ? tables.app : scope;
      tables.addHook(target, phase, handler as never, method);
    } else {
      members.push({ item, handler });
    }
  }
  return { name: metadata.name, prefix: metadata.prefix, scope, members };
}

/** Registers a bound controller's routes, error and default handlers, and add-on members. */
export function compileController(
  bound: BoundController,
  target: CompileTarget,
  tables: HandlerTables,
  kinds: ReadonlyMap<string, (item: MemberRegistration) => void>,
): void {
  // Guards on a method (`@checkDigest` above it) apply to that method's routes only.
  const guards = new Map<string | symbol, PhaseHook[]>();
  for (const { item } of bound.members) {
    if (item.kind === 'guard') guards.set(item.key, [...(guards.get(item.key) ?? []), item.options as PhaseHook]);
  }
  for (const { item, handler: plain } of bound.members) {
    if (item.kind === 'guard') continue;
    if (item.kind !== 'error') tables.bindScope(plain, bound.scope);
    const own = guards.get(item.key);
    const handler = own && item.kind !== 'error' ? tables.withHooks(plain, byPhase(own)) : plain;
    switch (item.kind) {
      case 'route':
        target.route(bound.prefix + item.path, handler as Handler, item.methods);
        break;
      case 'error':
        target.errorHandler(item.target as number, handler as StatusHandler, item.methods);
        break;
      case 'default':
        target.defaultHandler(handler as Handler, item.methods);
        break;
      default: {
        const register = kinds.get(item.kind);
        if (!register) {
          const install = item.addOn ?? 'app.use(...)';
          throw new TypeError(
            `no add-on handles '@${item.kind}' members (${bound.name}.${String(item.key)}); install it with ${install}`,
          );
        }
        register({
          pattern: bound.prefix + item.path,
          handler,
          methods: item.methods,
          options: item.options,
          controller: bound.name,
        });
      }
    }
  }
}

/** Recorded phase hooks grouped by phase, in order. */
function byPhase(hooks: readonly PhaseHook[]): RouteHooks {
  const grouped: Partial<Record<ScopedPhase, unknown[]>> = {};
  for (const { phase, hook } of hooks) (grouped[phase] ??= []).push(hook);
  return grouped as RouteHooks;
}
