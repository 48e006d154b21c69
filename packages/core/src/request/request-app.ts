import type { kLifecycle, kSessions } from '../http/symbols.js';
import type { Settings } from '../settings/settings.js';
import type { SessionOpener } from './session-types.js';

/**
 * What a request reads of its application (`req.app`): the settings, the name, and where an
 * upload's clean-up is tracked. `Application` is one; the request layer never sees the facade.
 */
export interface RequestApp extends Settings {
  /** The application's name. */
  readonly name: string;
  /** @internal Pending clean-ups (temporary upload files): `close()` waits for them. */
  readonly [kLifecycle]: { track(done: Promise<void>): void };
  /** @internal Opens `req.session`, once the sessions() add-on is installed. */
  readonly [kSessions]: SessionOpener | undefined;
}
