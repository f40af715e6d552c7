/**
 * Vendor look-alikes written inside the money tests: the shared plain `node:http` skeleton of
 * test/helpers/lookalike.ts (deliberately not the msw fakes of src/testing); each test answers like the vendor's
 * docs allow, including the odd answers. Kept as its own module so the tests that import it stay unchanged.
 */
import type { ServerResponse } from 'node:http';
import { type LookAlikeServer, type SeenRequest, startLookAlike as startServer } from '../../helpers/lookalike.js';

export { send } from '../../helpers/lookalike.js';
export type { SeenRequest } from '../../helpers/lookalike.js';

/** A running look-alike. */
export type LookAlike = Pick<LookAlikeServer, 'url' | 'seen' | 'close'>;

/** Starts a look-alike on 127.0.0.1 with `handle` answering every request. */
export function startLookAlike(handle: (req: SeenRequest, res: ServerResponse) => unknown): Promise<LookAlike> {
  return startServer(handle);
}
