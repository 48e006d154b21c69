// What the lifecycle carries for one request: the Request users see, plus the application
// tables it dispatches through and the hook scope of the chosen handler. The lifecycle reads
// the application through the narrow Host interface, never through the Application facade.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { kProtocols, kTables } from '../http/symbols.js';
import type { RequestApp } from '../request/request-app.js';
import { Request } from '../request/request.js';
import type { UpgradeProtocol } from '../routing/handlers.js';
import type { Router } from '../routing/router.js';
import type { HookScope } from './phases.js';
import type { HandlerTables } from './tables.js';

/** What the lifecycle reads of its application: settings and name, the router, the handler tables, the upgrade protocols. */
export interface Host extends RequestApp {
  /** The routes. */
  readonly router: Router;
  /** Status, class and default handlers, fallbacks and hooks. */
  readonly [kTables]: HandlerTables;
  /** Upgrade protocols by token. */
  readonly [kProtocols]: ReadonlyMap<string, UpgradeProtocol>;
}

/** A request on its way through the lifecycle. */
export class Exchange extends Request {
  /** The application serving it. */
  readonly host: Host;
  /** The hook scope of the chosen handler (its controller's, or its route's own), once routed. */
  scope: HookScope | undefined = undefined;

  constructor(host: Host, raw: IncomingMessage, rawResponse: ServerResponse) {
    super(host, raw, rawResponse);
    this.host = host;
  }
}
