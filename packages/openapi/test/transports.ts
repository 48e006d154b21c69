// The core test transports, typed for tests that import @poor/core as users do (its dist).
import type { Application, InjectOptions } from '@poor/core';
import {
  closeServer as closeCore,
  describeBoth as describeCore,
  type Reply,
} from '../../core/test/helpers/transports.js';

export { recordingLogger, type Reply } from '../../core/test/helpers/transports.js';

/** Sends one request to an application. */
export type Send = (app: Application, request: InjectOptions | string) => Promise<Reply>;

/** Runs the same suite once through `inject()` and once over a real socket. */
export function describeBoth(name: string, suite: (send: Send) => void): void {
  describeCore(name, (send) => suite((app, request) => send(app as never, request)));
}

/** Closes the server the socket transport started for an app. */
export function closeServer(app: Application): Promise<void> {
  return closeCore(app as never);
}
