/** The inputs and outputs that many host API methods share, defined once for every capability's table. */
import { z } from 'zod';

/** Input of methods that take none. JSON has no undefined, so null is accepted too. */
export const NoInput = z.union([z.undefined(), z.null()]).transform(() => undefined);

/** Output of methods that answer nothing. */
export const Void = z.undefined();
